// The preview's loop: watch the chapters and the sources, and on each settled save rebuild what changed:
// recompile the `report` binary when a chapter's cells or the engine's sources changed, then run its
// `build`, which reruns only the chapters whose cached results went stale.
import Foundation
import Notebook

struct PreviewRebuilder {
    let project: Project
    let executable: URL
    /// `report build`'s arguments after `build`: where the site goes, the data and weights, the timeout.
    let buildArguments: [String]
    let state: PreviewState
    /// The chapters' cells as this binary has them compiled, by chapter name.
    var compiled: [String: String]
    /// The sources (not the chapters) as they were when `report` was last compiled.
    var compiledSources: [String: SourceWatcher.Stamp] = [:]

    var watcher: SourceWatcher { SourceWatcher(root: project.root, watched: ["Chapters", "Sources", "Package.swift"]) }

    mutating func loop() -> Never {
        var seen = watcher.snapshot()
        compiledSources = seen.filter { !$0.key.hasPrefix("Chapters/") }
        rebuild(reason: "the first build")
        while true {
            usleep(300_000)
            var now = watcher.snapshot()
            guard now != seen else { continue }
            // An editor may write a file in steps: wait until two looks agree.
            while true {
                usleep(250_000)
                let again = watcher.snapshot()
                if again == now { break }
                now = again
            }
            let changed = SourceWatcher.changes(from: seen, to: now)
            seen = now
            rebuild(reason: changed.prefix(3).joined(separator: ", ") + (changed.count > 3 ? " and \(changed.count - 3) more" : "") + " changed")
        }
    }

    mutating func rebuild(reason: String) {
        state.building()
        printError("preview: rebuilding (\(reason))")
        let started = Date()
        if needsCompile() {
            guard let product = compilableProduct() else {
                fail("A chapter's cells or the engine's sources changed, and \(executable.path) was not built from \(project.root.path)/.build, so the preview cannot recompile it: run `swift run report preview` from the package root.")
                return
            }
            printError("preview: compiling (swift build \(product.arguments.joined(separator: " ")))")
            let (status, output) = Self.run(URL(fileURLWithPath: "/usr/bin/env"), ["swift", "build"] + product.arguments, in: project.root)
            guard status == 0 else { fail(Self.compilerErrors(output)); return }
            compiledSources = watcher.snapshot().filter { !$0.key.hasPrefix("Chapters/") }
            if let chapters = try? project.chapters() {
                for chapter in chapters { compiled[chapter.name] = Fingerprint.cells(of: chapter) }
            }
        }
        let (status, output) = Self.run(executable, ["build"] + buildArguments, in: project.root)
        if status == 0 {
            state.built()
            printError(String(format: "preview: built in %.1f s; open pages reload", Date().timeIntervalSince(started)))
        } else {
            fail(Self.buildProblems(output))
        }
    }

    func fail(_ message: String) {
        state.failed(message)
        printError("preview: the rebuild failed; the last good site is still served")
    }

    /// The binary is stale when a chapter's cells differ from the compiled ones or any source changed.
    func needsCompile() -> Bool {
        if watcher.snapshot().filter({ !$0.key.hasPrefix("Chapters/") }) != compiledSources { return true }
        // A chapter that does not parse is `report build`'s to report, with its line.
        guard let chapters = try? project.chapters() else { return false }
        return chapters.contains { compiled[$0.name] != Fingerprint.cells(of: $0) }
    }

    /// `swift build` arguments that rebuild this very binary, when it was built from this package.
    func compilableProduct() -> (name: String, arguments: [String])? {
        let build = project.root.appendingPathComponent(".build").standardizedFileURL.resolvingSymlinksInPath().path
        let path = executable.resolvingSymlinksInPath().path
        guard path.hasPrefix(build + "/") else { return nil }
        let configuration = executable.deletingLastPathComponent().lastPathComponent.contains("release") ? "release" : "debug"
        return (executable.lastPathComponent, ["-c", configuration, "--product", executable.lastPathComponent])
    }

    /// The compiler's errors and the lines quoted under them, without the progress lines.
    static func compilerErrors(_ output: String) -> String {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            .filter { !$0.hasPrefix("[") && !$0.hasPrefix("Building for") && !$0.hasPrefix("warning:") }
        guard let first = lines.firstIndex(where: { $0.contains("error:") }) else { return lines.suffix(20).joined(separator: "\n") }
        return lines[first...].prefix(40).joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `report build`'s problem lines, or its last lines when it stopped before listing any.
    static func buildProblems(_ output: String) -> String {
        let lines = output.split(separator: "\n").map(String.init)
        if let start = lines.firstIndex(where: { $0.contains("problem(s)") }) {
            return lines[start...].joined(separator: "\n")
        }
        return lines.suffix(12).joined(separator: "\n")
    }

    /// Runs a command, passing its output through to the terminal as it comes, and returns it too.
    static func run(_ executable: URL, _ arguments: [String], in directory: URL) -> (Int32, String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let collected = Collected()
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else { handle.readabilityHandler = nil; return }
            FileHandle.standardError.write(data)
            collected.append(data)
        }
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do { try process.run() } catch { return (127, "\(executable.path): \(error)") }
        PreviewChild.shared.set(process.processIdentifier)
        exited.wait()   // not waitUntilExit, which spins on Linux
        PreviewChild.shared.set(nil)
        pipe.fileHandleForReading.readabilityHandler = nil
        collected.append(pipe.fileHandleForReading.readDataToEndOfFile())
        return (process.terminationStatus, collected.text)
    }

    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func append(_ more: Data) { lock.lock(); data.append(more); lock.unlock() }
        var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
    }
}

/// The build or compiler the preview is running, so that Ctrl-C or SIGTERM stops it too.
final class PreviewChild: @unchecked Sendable {
    static let shared = PreviewChild()
    private let lock = NSLock()
    private var pid: pid_t?
    private var sources: [DispatchSourceSignal] = []

    func set(_ pid: pid_t?) { lock.lock(); self.pid = pid; lock.unlock() }

    func installInterruptHandlers() {
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            Foundation.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
            source.setEventHandler { [self] in
                lock.lock(); let pid = self.pid; lock.unlock()
                if let pid {
                    // `report build` tidies up on TERM (its chapter, its temporary folders); wait for it.
                    kill(pid, SIGTERM)
                    var status: Int32 = 0
                    waitpid(pid, &status, 0)
                }
                FileHandle.standardError.write(Data("\nreport preview: stopped by signal \(signal)\n".utf8))
                exit(128 + signal)
            }
            source.resume()
            sources.append(source)
        }
    }
}
