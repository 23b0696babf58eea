import Foundation

/// Why an image could not be read; always names the file.
public struct ImageError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

extension ImageError: LocalizedError {
    public var errorDescription: String? { description }
}
