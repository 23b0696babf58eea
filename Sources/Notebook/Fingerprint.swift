/// FNV-1a, 64 bits: a stable identity for chapter sources (not a checksum against tampering).
public enum Fingerprint {
    public static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// What the compiled code of a chapter depends on: each cell's code, its options (not those that only change how the
    /// page shows it) and line, and the inline values.
    public static func cells(of chapter: Chapter) -> String {
        let parts = chapter.cells.map { cell -> String in
            let options = cell.options.values.filter { !CellOptions.presentationOnly.contains($0.key) }
                .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
            return "\(cell.codeLine)|\(options)|\(cell.code)"
        }
        let inline = chapter.inlineExpressions.map { "\($0.line)|\($0.afterCell ?? 0)|\($0.expression)" }
        return fnv1a((parts + inline).joined(separator: "\u{1}"))
    }
}
