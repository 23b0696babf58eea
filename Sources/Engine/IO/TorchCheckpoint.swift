// A PyTorch checkpoint read without Python: torch.save's zip format (data.pkl and one file per storage, through
// ZIPFoundation), its legacy format (five pickles, then the storages' bytes), and TorchScript archives (torch.jit.save,
// as OpenAI's CLIP files are). The pickles go through RestrictedUnpickler, so a checkpoint cannot run code.
import Foundation
import ZIPFoundation

public struct TorchCheckpoint {
    public struct Tensor {
        public var name: String
        public var shape: [Int]
        public var values: [Float]
        /// The storage's type as saved ("HalfStorage"...), so an import can keep the precision.
        public var storageType: String
        public init(name: String, shape: [Int], values: [Float], storageType: String) {
            self.name = name; self.shape = shape; self.values = values; self.storageType = storageType
        }
    }

    /// Floating-point tensors by their state-dict names, "module." prefixes (DistributedDataParallel's) removed.
    public var tensors: [Tensor]
    /// Integer and boolean entries (OpenAI's input_resolution, a mask), which weights never are.
    public var skipped: [String]
    /// The file was a TorchScript archive (torch.jit.save), as OpenAI's CLIP checkpoints are.
    public var isTorchScript: Bool
    /// Which format the file had, for messages: "zip", "legacy" or "TorchScript".
    public var format: String

    public init(tensors: [Tensor], skipped: [String], isTorchScript: Bool, format: String) {
        self.tensors = tensors; self.skipped = skipped; self.isTorchScript = isTorchScript; self.format = format
    }

    public static func read(_ path: String) throws -> TorchCheckpoint {
        let url = URL(fileURLWithPath: path)
        guard let handle = FileHandle(forReadingAtPath: path) else { throw EngineError.unreadable(path, "no such file") }
        let magic = (try? handle.read(upToCount: 4)) ?? nil
        try? handle.close()
        if magic.map(Array.init) == [0x50, 0x4B, 0x03, 0x04] { return try readZip(url) }
        return try readLegacy(url)
    }

    // MARK: the zip format

    static func readZip(_ url: URL) throws -> TorchCheckpoint {
        let path = url.path
        let archive: Archive
        do { archive = try Archive(url: url, accessMode: .read) } catch { throw EngineError.corrupt(path, "not a readable zip archive (\(error))") }
        let entries = Array(archive)
        guard let pickle = entries.filter({ $0.path == "data.pkl" || $0.path.hasSuffix("/data.pkl") }).min(by: { $0.path.count < $1.path.count }) else {
            throw EngineError.corrupt(path, "a zip archive without data.pkl: not a PyTorch checkpoint")
        }
        let prefix = String(pickle.path.dropLast("data.pkl".count))
        let isTorchScript = entries.contains { $0.path.hasPrefix(prefix + "code/") || $0.path == prefix + "constants.pkl" }
        func contents(_ entry: Entry) throws -> [UInt8] {
            guard entry.uncompressedSize <= 1 << 34 else { throw EngineError.corrupt(path, "\(entry.path) claims \(entry.uncompressedSize) bytes") }
            var data = [UInt8]()
            data.reserveCapacity(Int(entry.uncompressedSize))
            do { _ = try archive.extract(entry, skipCRC32: false) { data.append(contentsOf: $0) } }
            catch { throw EngineError.corrupt(path, "\(entry.path) cannot be read from the archive (\(error))") }
            return data
        }
        var reader = RestrictedUnpickler(bytes: try contents(pickle), path: path)
        let root = try reader.load()
        let byPath = Dictionary(entries.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        var cache: [String: [UInt8]] = [:]
        let storage: (String) throws -> [UInt8] = { key in
            if let hit = cache[key] { return hit }
            guard let entry = byPath[prefix + "data/" + key] else { throw EngineError.corrupt(path, "tensor data \(prefix)data/\(key) is missing from the archive") }
            let data = try contents(entry)
            cache[key] = data
            return data
        }
        return try collect(root, storage: storage, path: path, isTorchScript: isTorchScript, format: isTorchScript ? "TorchScript" : "zip")
    }

    // MARK: the legacy format

    /// torch.save before 1.6 (or `_use_new_zipfile_serialization=False`): magic, protocol, system info, the object,
    /// the storages' keys, then each storage as its element count (int64) and its bytes, in the keys' order.
    static func readLegacy(_ url: URL) throws -> TorchCheckpoint {
        let path = url.path
        let bytes: [UInt8]
        do { bytes = Array(try Data(contentsOf: url)) } catch { throw EngineError.unreadable(path, "\(error)") }
        // The first pickle is torch's magic number, 0x1950a86a20f9469cfc6c: an 80-bit LONG1, checked as bytes.
        let magic: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]
        guard bytes.count > magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw EngineError.corrupt(path, "neither a zip archive nor a legacy torch.save file (no torch magic number)")
        }
        var reader = RestrictedUnpickler(bytes: bytes, path: path, position: magic.count)
        _ = try reader.load()                      // protocol version (1001)
        _ = try reader.load()                      // system info: byte order, type sizes
        let root = try reader.load()
        guard case .list(let keyValues) = try reader.load() else { throw EngineError.corrupt(path, "the legacy checkpoint lists no storages") }
        var offset = reader.position
        var storages: [String: [UInt8]] = [:]
        for keyValue in keyValues {
            guard let key = keyValue.string else { throw EngineError.corrupt(path, "a storage key that is not text") }
            guard offset + 8 <= bytes.count else { throw EngineError.corrupt(path, "storage \(key) is cut off") }
            let count = bytes[offset..<(offset + 8)].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            offset += 8
            // The element size is the storage's type's; the tensors that view it say which it is.
            let size = elementSize(of: storageType(of: key, in: root) ?? "FloatStorage")
            guard count >= 0, count <= (bytes.count - offset) / size else { throw EngineError.corrupt(path, "storage \(key) claims \(count) elements past the file's end") }
            storages[key] = Array(bytes[offset..<(offset + count * size)])
            offset += count * size
        }
        return try collect(root, storage: { key in
            guard let data = storages[key] else { throw EngineError.corrupt(path, "tensor data for storage \(key) is missing") }
            return data
        }, path: path, isTorchScript: false, format: "legacy")
    }

    static func storageType(of key: String, in value: PickleValue) -> String? {
        switch value {
        case .tensor(let t): return t.storageKey == key ? t.storageType : nil
        case .list(let items), .tuple(let items): return items.lazy.compactMap { storageType(of: key, in: $0) }.first
        case .dict(let pairs), .object(_, let pairs): return pairs.lazy.compactMap { storageType(of: key, in: $0.value) }.first
        default: return nil
        }
    }

    // MARK: from the unpickled object to named tensors

    static func elementSize(of type: String) -> Int {
        switch type {
        case "DoubleStorage", "LongStorage": 8
        case "FloatStorage", "IntStorage": 4
        case "HalfStorage", "BFloat16Storage", "ShortStorage": 2
        default: 1
        }
    }

    /// The state dict inside `root`: a training checkpoint's "state_dict" (or "model"), a TorchScript module's
    /// parameters by their dotted attribute names, or `root` itself.
    static func collect(_ root: PickleValue, storage: (String) throws -> [UInt8], path: String, isTorchScript: Bool, format: String) throws -> TorchCheckpoint {
        var named: [(String, TorchTensor)] = []
        func walk(_ value: PickleValue, _ prefix: String, depth: Int) {
            guard depth < 64 else { return }
            switch value {
            case .tensor(let t): named.append((prefix, t))
            case .dict(let pairs), .object(_, let pairs):
                for (key, item) in pairs {
                    guard let name = key.string else { continue }
                    walk(item, prefix.isEmpty ? name : prefix + "." + name, depth: depth + 1)
                }
            default: break
            }
        }
        var start = root
        if case .dict(let pairs) = root {
            for wanted in ["state_dict", "model", "module"] {
                if let inner = pairs.first(where: { $0.key.string == wanted })?.value, case .dict = inner { start = inner; break }
            }
        }
        walk(start, "", depth: 0)
        guard !named.isEmpty else { throw EngineError.corrupt(path, "the checkpoint holds no tensors") }
        var tensors: [Tensor] = [], skipped: [String] = []
        var seen = Set<String>()
        for (rawName, t) in named {
            let name = rawName.hasPrefix("module.") ? String(rawName.dropFirst("module.".count)) : rawName
            guard seen.insert(name).inserted else { continue }
            guard ["FloatStorage", "HalfStorage", "BFloat16Storage", "DoubleStorage"].contains(t.storageType) else { skipped.append(name); continue }
            tensors.append(Tensor(name: name, shape: t.shape, values: try values(t, storage: try storage(t.storageKey), name: name, path: path), storageType: t.storageType))
        }
        return TorchCheckpoint(tensors: tensors, skipped: skipped, isTorchScript: isTorchScript, format: format)
    }

    /// A tensor's elements in row-major order, gathered through its strides from its storage's little-endian bytes.
    static func values(_ t: TorchTensor, storage bytes: [UInt8], name: String, path: String) throws -> [Float] {
        let size = elementSize(of: t.storageType), count = t.shape.reduce(1, *)
        let last = t.offset + zip(t.shape, t.strides).reduce(0) { $0 + ($1.0 > 0 ? ($1.0 - 1) * $1.1 : 0) }
        guard count == 0 || (last + 1) * size <= bytes.count else {
            throw EngineError.corrupt(path, "\(name): shape \(t.shape) and strides \(t.strides) reach past its storage (\(bytes.count / size) elements)")
        }
        func element(_ i: Int) -> Float {
            let o = i * size
            switch t.storageType {
            case "HalfStorage": return Float(Float16(bitPattern: UInt16(bytes[o]) | UInt16(bytes[o + 1]) << 8))
            case "BFloat16Storage": return Float(bitPattern: (UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8) << 16)
            case "DoubleStorage":
                var bits: UInt64 = 0
                for k in 0..<8 { bits |= UInt64(bytes[o + k]) << (8 * UInt64(k)) }
                return Float(Double(bitPattern: bits))
            default: return Float(bitPattern: UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24)
            }
        }
        var out = [Float](repeating: 0, count: count)
        // Almost every tensor of a state dict is contiguous: an F32 one is one run of the storage, copied as it is.
        let contiguous = zip(t.shape, t.strides).reversed().reduce((ok: true, expected: 1)) { state, dim in
            (state.ok && (dim.0 == 1 || dim.1 == state.expected), state.expected * dim.0)
        }.ok
        if contiguous && t.storageType == "FloatStorage" {
            // Little-endian F32, as this machine's: the run's bytes are the values.
            bytes.withUnsafeBytes { raw in
                out.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[(t.offset * 4)..<((t.offset + count) * 4)])) }
            }
            return out
        }
        var index = [Int](repeating: 0, count: t.shape.count)
        for i in 0..<count {
            out[i] = element(t.offset + zip(index, t.strides).reduce(0) { $0 + $1.0 * $1.1 })
            var d = t.shape.count - 1
            while d >= 0 { index[d] += 1; if index[d] < t.shape[d] { break }; index[d] = 0; d -= 1 }
        }
        return out
    }
}
