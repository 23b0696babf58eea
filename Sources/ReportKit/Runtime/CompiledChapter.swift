/// A chapter as compiled into the `report` binary by the ChapterCells plugin.
public struct CompiledChapter: Sendable {
    public var name: String
    /// Fingerprint of the cells it was compiled from; compared with the .md on disk at build time.
    public var fingerprint: String
    public var cellCount: Int
    public var run: @Sendable (CellRunner) throws -> Void

    public init(name: String, fingerprint: String, cellCount: Int, run: @escaping @Sendable (CellRunner) throws -> Void) {
        self.name = name; self.fingerprint = fingerprint; self.cellCount = cellCount; self.run = run
    }
}
