import Foundation

/// Errors of the engine's loaders: each names the file (or tensor) and what is wrong with it.
public enum EngineError: Error, CustomStringConvertible, Equatable {
    case unreadable(String, String)
    case corrupt(String, String)
    case invalidInput(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): cannot be read (\(reason))"
        case .corrupt(let path, let reason): return "\(path): \(reason)"
        case .invalidInput(let reason): return reason
        }
    }
}

extension EngineError: LocalizedError {
    public var errorDescription: String? { description }
}
