import ArgumentParser
import Engine
import Foundation

/// A command's work: an engine or image error (a bad file, a missing class) or a failed write is printed
/// as one line after the command's name, and the command exits with `status` instead of a backtrace.
public func reportingErrors<T>(_ command: String, status: Int32 = 1, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as EngineError {
        printError("\(command): \(error.description)")
        throw ExitCode(status)
    } catch let error as ImageError {
        printError("\(command): \(error.description)")
        throw ExitCode(status)
    } catch let error as ReportError {
        printError("\(command): \(error.description)")
        throw ExitCode(status)
    } catch let error as CocoaError {
        printError("\(command): \(WriteFailure.describe(error, path: error.filePath ?? "(unknown path)"))")
        throw ExitCode(status)
    }
}
