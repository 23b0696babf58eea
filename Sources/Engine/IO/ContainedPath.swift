// Paths built from data (a CSV row, a file or class name) must stay inside the folder they are
// relative to: the data root for reads, the output folder for writes. `../victim/x.png` is refused.
import Foundation

public enum ContainedPath {
    /// `base/relative`, or an error when `relative` is absolute or leaves `base` (after `..` is resolved).
    public static func resolve(_ relative: String, inside base: String, what: String) throws -> String {
        guard !relative.isEmpty else { throw EngineError.invalidInput("\(what): an empty path") }
        guard !relative.hasPrefix("/") else {
            throw EngineError.invalidInput("\(what): '\(relative)' is an absolute path; paths here are relative to \(base)")
        }
        guard !relative.contains("\0") else { throw EngineError.invalidInput("\(what): a path with a NUL byte") }
        let root = URL(fileURLWithPath: base).standardizedFileURL.path
        let joined = URL(fileURLWithPath: root).appendingPathComponent(relative).standardizedFileURL.path
        guard joined.hasPrefix(root == "/" ? "/" : root + "/") else {
            throw EngineError.invalidInput("\(what): '\(relative)' leads outside \(root)")
        }
        return joined
    }

    /// A name that is one path component (a class name, a file name): no '/', not '.' or '..'.
    public static func checkName(_ name: String, what: String) throws {
        guard !name.isEmpty, !name.contains("/"), !name.contains("\0"), name != ".", name != ".." else {
            throw EngineError.invalidInput("\(what) '\(name)' is not a plain name (no '/', '.' or '..')")
        }
    }
}
