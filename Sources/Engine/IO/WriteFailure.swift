// One readable line for a failed write: the path and the system's reason ("No space left on
// device"), instead of Foundation's NSCocoaErrorDomain dump.
import Foundation

public enum WriteFailure {
    public static func describe(_ error: Error, path: String) -> String {
        if let engine = error as? EngineError { return engine.description }
        let ns = error as NSError
        let shownPath = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path ?? path
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return "\(shownPath): cannot be written (\(String(cString: strerror(Int32(underlying.code)))))"
        }
        if ns.domain == NSPOSIXErrorDomain { return "\(shownPath): cannot be written (\(String(cString: strerror(Int32(ns.code)))))" }
        let reason: String
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileWriteNoPermission: reason = "permission denied"
        case .fileWriteOutOfSpace: reason = "no space left on the device"
        case .fileWriteVolumeReadOnly: reason = "the file system is read-only"
        case .fileWriteFileExists: reason = "something is already there"
        case .fileNoSuchFile, .fileWriteInvalidFileName: reason = "its folder does not exist or cannot hold it"
        default: reason = ns.localizedFailureReason ?? ns.localizedDescription
        }
        return "\(shownPath): cannot be written (\(reason))"
    }

    public static func describe(errno code: Int32, path: String) -> String {
        "\(path): cannot be written (\(String(cString: strerror(code))))"
    }
}
