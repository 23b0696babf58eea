// What a build ran with, read at run time: the toolchain, the libraries as loaded, the system and the CPU.
import Engine
import Figures
import Foundation
import Notebook

public enum BuildEnvironment {
    /// (component, version) rows, in the order a reader looks for them.
    public static func versions() -> [(component: String, version: String)] {
        [("Swift toolchain on PATH", swiftVersion()), ("OpenBLAS", BLAS.configuration + ", \(BLAS.threads) threads"),
         ("Cairo", DrawingLibraries.cairo), ("Pango", DrawingLibraries.pango), ("cmark-gfm", MarkdownLibrary.cmarkGFM),
         ("operating system", operatingSystem()), ("CPU", cpu()), ("engine", Engine.version)]
    }

    /// `swift --version`'s first line where a toolchain is on PATH; otherwise the language version the report was compiled with.
    static func swiftVersion() -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "--version"]
        let pipe = Pipe()
        process.standardOutput = pipe; process.standardError = Pipe()
        if (try? process.run()) != nil {
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            if process.terminationStatus == 0, let line = String(decoding: data, as: UTF8.self).split(separator: "\n").first { return String(line) }
        }
        #if compiler(>=6.3)
        return "compiled with Swift 6.3 or later (no toolchain on PATH now)"
        #else
        return "compiled with Swift before 6.3 (no toolchain on PATH now)"
        #endif
    }

    static func operatingSystem() -> String {
        let release = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? ""
        let name = release.split(separator: "\n").first { $0.hasPrefix("PRETTY_NAME=") }
            .map { String($0.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        var system = utsname()
        uname(&system)
        let kernel = withUnsafeBytes(of: &system.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return (name ?? ProcessInfo.processInfo.operatingSystemVersionString) + ", kernel " + kernel
    }

    static func cpu() -> String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = info.split(separator: "\n").first { $0.hasPrefix("model name") }.flatMap { $0.split(separator: ":", maxSplits: 1).last }
        return (model.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown") + ", \(ProcessInfo.processInfo.activeProcessorCount) logical CPUs"
    }
}
