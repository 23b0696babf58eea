// `report`: builds the DevPrompt report and runs its engine from the command line.
import ArgumentParser
import Engine
import Foundation

public struct ReportCommand: ParsableCommand {
    /// The generator's commands (build, list, clean) and whatever `main.swift` adds before parsing: the
    /// engine's commands (eval, detect, embed, data, bench, pretrain, compare) live in their own target.
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "report",
            abstract: "Build the DevPrompt report: run the chapters' Swift cells and write the HTML site.",
            discussion: "Exit codes: 0 success; 1 a failed run, bad data or a refused write; 64 a usage error; 128 + the signal when interrupted.",
            version: "report \(Engine.version) (engine sources \(engineSourceFingerprint))",
            subcommands: [BuildCommand.self, PreviewCommand.self, ListCommand.self, CleanCommand.self, RunsCommand.self] + engineCommands + [RunChapterCommand.self])
    }

    /// The engine's commands, handed over by the executable (EngineCommands.all).
    nonisolated(unsafe) public static var engineCommands: [ParsableCommand.Type] = []

    /// The chapters compiled into this binary; `main.swift` sets it before parsing.
    nonisolated(unsafe) public static var compiledChapters: [CompiledChapter] = []

    public init() {}
}

/// Where the report lives: shared by the subcommands that read chapters or write the site.
public struct ProjectOptions: ParsableArguments {
    @Option(name: .customLong("root"), help: "The package root holding Chapters/ (default: the current folder).")
    var rootPath: String?

    var root: String { rootPath ?? FileManager.default.currentDirectoryPath }

    @Option(name: .long, help: "Where the site is written (default: <root>/output).")
    var output: String?

    public init() {}

    public func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root + "/Chapters", isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("\(root) has no Chapters/ folder: run from the package root or pass --root")
        }
    }

    var project: Project {
        Project(root: URL(fileURLWithPath: root), output: output.map { URL(fileURLWithPath: $0) })
    }
}

/// What the chapters run on: a dataset folder and CLIP weights, or the embedded defaults.
public struct InputOptions: ParsableArguments {
    @Option(name: .long, help: "A dataset folder (MVTec AD, VisA, or your own in MVTec layout) for the chapters to use.")
    var dataRoot: String?

    @Option(name: .long, help: "OpenCLIP weights (.safetensors) for the chapters to use instead of the embedded model.")
    var weights: String?

    public init() {}

    public func validate() throws {
        var isDirectory: ObjCBool = false
        if let dataRoot, !(FileManager.default.fileExists(atPath: dataRoot, isDirectory: &isDirectory) && isDirectory.boolValue) {
            throw ValidationError("--data-root \(dataRoot): no such folder")
        }
        if let weights {
            do { try RegularFile.check(weights) } catch EngineError.unreadable(_, let reason) {
                throw ValidationError("--weights \(weights): \(reason.hasPrefix("is a folder") ? "is a folder; give the .safetensors file in it" : reason)")
            }
        }
    }

    var settings: ReportSettings {
        func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
        return ReportSettings(dataRoot: dataRoot.map(absolute), weights: weights.map(absolute))
    }
}

public func printError(_ text: String) {
    FileHandle.standardError.write((text + "\n").data(using: .utf8)!)
}
