// NumPy's .npy format (version 1.0, little-endian float32, C order): what `report embed --npy-dir`
// and `--save-maps` write, and what the fixtures from torch are read back as.
import Foundation

public enum NumPyFile {
    public static func write(_ values: [Float], shape: [Int], to url: URL) throws {
        precondition(shape.reduce(1, *) == values.count, "npy: \(values.count) values for shape \(shape)")
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(dims), }"
        // Header padded with spaces so the data starts on a 64-byte boundary, ending in a newline.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: UInt8.self), count: $0.count * 4)) }
        try data.write(to: url, options: .atomic)
    }

    public static func read(_ url: URL) throws -> (values: [Float], shape: [Int]) {
        let path = url.path
        guard let data = try? Data(contentsOf: url) else { throw EngineError.unreadable(path, "no such file") }
        guard data.count >= 10, data.prefix(6) == Data([0x93] + Array("NUMPY".utf8)) else {
            throw EngineError.corrupt(path, "not a .npy file")
        }
        let major = data[6]
        let headerLength = major == 1 ? Int(data[8]) | Int(data[9]) << 8
            : Int(data[8]) | Int(data[9]) << 8 | Int(data[10]) << 16 | Int(data[11]) << 24
        let start = major == 1 ? 10 : 12
        guard data.count >= start + headerLength,
              let header = String(data: data[start..<(start + headerLength)], encoding: .ascii) else {
            throw EngineError.corrupt(path, "truncated .npy header")
        }
        guard header.contains("'descr': '<f4'"), header.contains("'fortran_order': False") else {
            throw EngineError.corrupt(path, "only little-endian float32 in C order is read (header: \(header.trimmingCharacters(in: .whitespacesAndNewlines)))")
        }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw EngineError.corrupt(path, "no shape in the .npy header")
        }
        let shape = header[open.upperBound..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let count = shape.reduce(1, *)
        let body = data[(start + headerLength)...]
        guard body.count == count * 4 else { throw EngineError.corrupt(path, "expected \(count * 4) bytes of data, found \(body.count)") }
        var values = [Float](repeating: 0, count: count)
        _ = values.withUnsafeMutableBytes { body.copyBytes(to: $0) }
        return (values, shape)
    }
}
