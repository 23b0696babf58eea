import ArgumentParser
import Foundation

struct PreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Serve output/ on 127.0.0.1, rebuild when a chapter or a source is saved, and reload open pages.",
        discussion: "A failed rebuild keeps the last good site served and shows its error at the foot of each open page.")

    @OptionGroup var project: ProjectOptions
    @OptionGroup var inputs: InputOptions

    @Option(help: "The port to listen on, on 127.0.0.1 only (0: any free port).")
    var port: Int = 8000

    @Option(help: "Seconds a chapter may run before it is stopped (as for `report build`).")
    var timeout: Double = BuildOptions.defaultTimeout

    func validate() throws {
        if !(0...65535).contains(port) { throw ValidationError("--port must be from 0 to 65535") }
        if !(timeout > 0 && timeout.isFinite) { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    func run() throws {
        let project = self.project.project
        let state = PreviewState()
        let listening: UInt16
        do {
            let server = try PreviewServer(site: project.output, port: UInt16(port), state: state)
            listening = try Self.blocking { try await server.start() }
        } catch {
            printError("report preview: cannot listen on 127.0.0.1:\(port): \(error)")
            throw ExitCode(1)
        }
        PreviewChild.shared.installInterruptHandlers()
        printError("Serving \(project.output.path) at http://127.0.0.1:\(listening)/ (watching Chapters/ and Sources/; Ctrl-C stops)")
        // The site only: typesetting the PDF on every save would slow the loop (`report build` writes it).
        var arguments = ["--root", project.root.path, "--output", project.output.path, "--timeout", String(timeout), "--no-pdf"]
        if let dataRoot = inputs.settings.dataRoot { arguments += ["--data-root", dataRoot] }
        if let weights = inputs.settings.weights { arguments += ["--weights", weights] }
        var rebuilder = PreviewRebuilder(project: project, executable: BuildCommand.currentExecutable(), buildArguments: arguments,
                                         state: state, compiled: Dictionary(ReportCommand.compiledChapters.map { ($0.name, $0.fingerprint) },
                                                                            uniquingKeysWith: { first, _ in first }))
        rebuilder.loop()
    }

    /// Waits on the calling thread for async work (the server's start); the server then runs on its own.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>(), done = DispatchSemaphore(value: 0)
        Task {
            do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }
}

final class ResultBox<T>: @unchecked Sendable { var result: Result<T, Error>? }
