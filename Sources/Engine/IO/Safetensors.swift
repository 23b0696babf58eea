// The safetensors format: an 8-byte header length, a JSON header naming each tensor's dtype,
// shape and byte range, then the raw data. Memory-mapped; F32, F16 and BF16 are read as Float.
import Foundation

public struct Safetensors {
    public struct Entry: Sendable {
        public var dtype: String
        public var shape: [Int]
        var start: Int
        var end: Int
    }

    public let path: String
    public let entries: [String: Entry]
    public let metadata: [String: String]
    private let data: Data
    private let dataStart: Int

    public static let readableTypes: Set<String> = ["F32", "F16", "BF16"]

    /// The largest header read (the format's own limit is 100 MB).
    static let maxHeaderBytes = 100_000_000

    public init(path: String) throws {
        self.path = path
        try RegularFile.check(path)
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) }
        catch { throw EngineError.unreadable(path, (error as NSError).localizedFailureReason ?? error.localizedDescription) }
        guard data.count >= 8 else { throw EngineError.corrupt(path, "too short for a safetensors file (\(data.count) bytes)") }
        // Read as UInt64 and compared before any arithmetic: a crafted length cannot overflow.
        let declared = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard declared > 0, declared <= UInt64(min(data.count - 8, Self.maxHeaderBytes)) else {
            throw EngineError.corrupt(path, "header length \(declared) runs past the end of the file (\(data.count) bytes) or the 100 MB limit: truncated or not safetensors")
        }
        let headerLength = Int(declared)
        guard let json = try? JSONSerialization.jsonObject(with: data[8..<(8 + headerLength)]) as? [String: Any] else {
            throw EngineError.corrupt(path, "the header is not a JSON object")
        }
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        let available = data.count - 8 - headerLength
        for (name, value) in json {
            if name == "__metadata__" {
                metadata = (value as? [String: Any])?.compactMapValues { $0 as? String } ?? [:]
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
                throw EngineError.corrupt(path, "tensor \(name): malformed header entry")
            }
            guard let width = Self.byteWidths[dtype] else {
                throw EngineError.corrupt(path, "tensor \(name): unknown dtype \(dtype)")
            }
            guard shape.allSatisfy({ $0 >= 0 }), let count = Self.elementCount(shape),
                  case let (bytes, overflow) = count.multipliedReportingOverflow(by: width), !overflow else {
                throw EngineError.corrupt(path, "tensor \(name): shape \(shape) is negative or too large to address")
            }
            guard offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw EngineError.corrupt(path, "tensor \(name): bad data offsets \(offsets)")
            }
            guard offsets[1] <= available else {
                throw EngineError.corrupt(path, "tensor \(name): its data ends at byte \(offsets[1]) but the file holds \(available): truncated")
            }
            guard offsets[1] - offsets[0] == bytes else {
                throw EngineError.corrupt(path, "tensor \(name): \(offsets[1] - offsets[0]) bytes for shape \(shape) of \(dtype)")
            }
            entries[name] = Entry(dtype: dtype, shape: shape, start: offsets[0], end: offsets[1])
        }
        // Two tensors may not share bytes: a crafted file could otherwise alias one weight into another.
        let ordered = entries.filter { $0.value.end > $0.value.start }.sorted { ($0.value.start, $0.key) < ($1.value.start, $1.key) }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where next.value.start < previous.value.end {
            throw EngineError.corrupt(path, "tensors \(previous.key) and \(next.key) share bytes \(next.value.start)..<\(min(previous.value.end, next.value.end)) of the data")
        }
        self.entries = entries
        self.metadata = metadata
        self.data = data
        self.dataStart = 8 + headerLength
    }

    static let byteWidths = ["F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8, "I32": 4, "I16": 2, "U8": 1, "I8": 1, "BOOL": 1,
                             "U16": 2, "U32": 4, "U64": 8, "F8_E4M3": 1, "F8_E5M2": 1]

    /// The product of the dimensions, or nil when it overflows.
    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            count = product
        }
        return count
    }

    /// The tensor's values as Float32 (F16 and BF16 widened exactly).
    public func floats(_ name: String) throws -> [Float] {
        guard let entry = entries[name] else { throw EngineError.corrupt(path, "tensor \(name) is missing") }
        guard Self.readableTypes.contains(entry.dtype) else {
            throw EngineError.corrupt(path, "tensor \(name) has dtype \(entry.dtype); only F32, F16 and BF16 are read")
        }
        let count = entry.shape.reduce(1, *)
        var out = [Float](repeating: 0, count: count)
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let base = raw.baseAddress! + dataStart + entry.start
            out.withUnsafeMutableBufferPointer { dst in
                switch entry.dtype {
                case "F32":
                    memcpy(dst.baseAddress!, base, count * 4)
                case "F16":
                    for i in 0..<count { dst[i] = Float(Float16(bitPattern: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
                default:  // BF16: the high half of a Float32
                    for i in 0..<count { dst[i] = Float(bitPattern: UInt32(base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) << 16) }
                }
            }
        }
        return out
    }

    /// Writes tensors as safetensors (F32 or F16), through a temporary file renamed into place.
    public static func write(_ tensors: [(name: String, shape: [Int], values: [Float])], to url: URL,
                             halfPrecision: Bool = false, metadata: [String: String] = [:]) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var body = Data()
        for tensor in tensors {
            precondition(tensor.shape.reduce(1, *) == tensor.values.count, "safetensors: \(tensor.name) shape \(tensor.shape) for \(tensor.values.count) values")
            let start = body.count
            if halfPrecision {
                for v in tensor.values { withUnsafeBytes(of: Float16(v).bitPattern.littleEndian) { body.append(contentsOf: $0) } }
            } else {
                tensor.values.withUnsafeBytes { body.append(contentsOf: $0) }
            }
            header[tensor.name] = ["dtype": halfPrecision ? "F16" : "F32", "shape": tensor.shape, "data_offsets": [start, body.count]]
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        file.append(body)
        try file.write(to: url, options: .atomic)
    }
}
