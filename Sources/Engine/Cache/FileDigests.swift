// SHA-256 of whole files, computed once and remembered by what the file system says of them
// (device, inode, size, modification and change times, to the nanosecond): `cp -p` or `rsync -a`
// can set a modification time back, never a change time, so an edited file is always hashed again.
// Hashing 900 MB of weights takes a few seconds, once.
import Crypto
import Foundation

public final class FileDigests: @unchecked Sendable {
    struct Record: Codable, Equatable {
        var device: UInt64, inode: UInt64, size: Int64, modified: Int64, changed: Int64
        var sha256: String
    }

    /// Where the records are kept between runs; nil keeps them in memory only.
    public let memo: URL?
    private var records: [String: Record]
    private var dirty = false
    private let lock = NSLock()

    public init(memo: URL?) {
        self.memo = memo
        records = memo.flatMap { try? Data(contentsOf: $0) }.flatMap { try? JSONDecoder().decode([String: Record].self, from: $0) } ?? [:]
    }

    /// One instance per memo file in a process, so every cache that asks shares what was hashed.
    public static func shared(memo: URL) -> FileDigests {
        registryLock.lock(); defer { registryLock.unlock() }
        if let existing = registry[memo.path] { return existing }
        let digests = FileDigests(memo: memo)
        registry[memo.path] = digests
        return digests
    }
    nonisolated(unsafe) private static var registry: [String: FileDigests] = [:]
    private static let registryLock = NSLock()

    /// The file's SHA-256 (hex), from the memo when the file is unchanged since it was hashed.
    public func digest(of path: String) throws -> String {
        let value = try lookUp(path)
        try save()
        return value
    }

    /// Many files' digests, hashed over the cores; the memo is written once at the end.
    public func digests(of paths: [String]) throws -> [String] {
        let values = Parallel.map(paths) { path in Result { try lookUp(path) } }
        try save()
        return try values.map { try $0.get() }
    }

    func lookUp(_ path: String) throws -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let before = try Self.status(absolute)
        lock.lock()
        let known = records[absolute]
        lock.unlock()
        if let known, Self.same(known, before) { return known.sha256 }
        let sha = try Self.hash(absolute)
        // A file written while it was hashed is not remembered: the next look hashes it again.
        let after = try Self.status(absolute)
        guard Self.same(after, before) else { return sha }
        var record = before
        record.sha256 = sha
        lock.lock()
        records[absolute] = record
        dirty = true
        lock.unlock()
        return sha
    }

    /// Writes the memo through a temporary file and a rename; a memo that cannot be written only costs time.
    public func save() throws {
        lock.lock(); defer { lock.unlock() }
        guard dirty, let memo else { return }
        guard let data = try? JSONEncoder().encode(records), (try? AtomicFile.write(data, to: memo)) != nil else { return }
        dirty = false
    }

    static func same(_ a: Record, _ b: Record) -> Bool {
        a.device == b.device && a.inode == b.inode && a.size == b.size && a.modified == b.modified && a.changed == b.changed
    }

    static func status(_ path: String) throws -> Record {
        let info = try RegularFile.check(path)
        func nanoseconds(_ t: timespec) -> Int64 { Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec) }
        return Record(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                      modified: nanoseconds(info.st_mtim), changed: nanoseconds(info.st_ctim), sha256: "")
    }

    /// SHA-256 (hex) of bytes in memory.
    public static func sha256(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    /// A digest as lower-case hex, the one spelling every cache key uses.
    public static func hex(_ digest: SHA256.Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }

    /// SHA-256 (hex) of the whole file, read in 4 MiB pieces, not remembered.
    public static func hash(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw EngineError.unreadable(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 4 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw EngineError.unreadable(path, String(cString: strerror(errno)))
            }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0.prefix(n))) }
        }
        return hex(hasher.finalize())
    }
}
