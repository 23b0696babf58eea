import Foundation

/// A path that must name a regular file: a folder, a device or a missing path is named as such,
/// not met later as an opaque read error.
public enum RegularFile {
    @discardableResult
    public static func check(_ path: String) throws -> stat {
        var info = stat()
        guard stat(path, &info) == 0 else { throw EngineError.unreadable(path, String(cString: strerror(errno))) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return info
        case S_IFDIR: throw EngineError.unreadable(path, "is a folder, not a file")
        default: throw EngineError.unreadable(path, "not a regular file")
        }
    }
}
