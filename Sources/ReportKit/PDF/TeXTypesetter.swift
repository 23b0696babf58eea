// Runs LuaLaTeX (Debian's TeX Live) on the PDF edition until its contents and page references settle; a missing TeX, a
// missing package or a TeX error is a ReportError that names what to install or the line of report.tex that failed.
import Engine
import Foundation

struct TeXTypesetter {
    /// The Debian packages the PDF needs (scripts/bootstrap installs them).
    static let packages = "texlive-luatex texlive-latex-recommended texlive-latex-extra texlive-plain-generic texlive-fonts-recommended lmodern fonts-dejavu-extra"
    /// Overrides the `lualatex` found on PATH (a path; tests name a missing one to see the error).
    static let variable = "REPORT_LUALATEX"
    /// Passes at most: the contents and the longtables need two, a page reference that moves a page a third.
    static let maxPasses = 4

    /// Where report.tex, its log and the auxiliary files live between builds (a later build starts from the last pages).
    var workDirectory: URL

    /// The `lualatex` to run, or a ReportError saying what to install.
    static func engine(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        let missing = ReportError("the PDF needs LuaLaTeX from TeX Live, which is not installed: apt-get install \(packages) "
            + "(scripts/bootstrap installs them), or build with --no-pdf; the HTML site was written")
        if let path = environment[variable] {
            guard FileManager.default.isExecutableFile(atPath: path) else { throw missing }
            return URL(fileURLWithPath: path)
        }
        for folder in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("lualatex")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw missing
    }

    /// Typesets `tex` with the site as the working folder (figures are included by their paths in it); returns the PDF's URL in `workDirectory`.
    func typeset(_ tex: String, site: URL, engine: URL) throws -> (pdf: URL, passes: Int) {
        let fm = FileManager.default
        try fm.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        let source = workDirectory.appendingPathComponent("report.tex"), log = workDirectory.appendingPathComponent("report.log")
        let pdf = workDirectory.appendingPathComponent("report.pdf")
        try AtomicFile.write(Data(tex.utf8), to: source)
        try? fm.removeItem(at: pdf)
        for pass in 1...Self.maxPasses {
            let transcript = workDirectory.appendingPathComponent("lualatex.out")
            fm.createFile(atPath: transcript.path, contents: nil)
            let process = Process()
            process.executableURL = engine
            process.arguments = ["-interaction=nonstopmode", "-halt-on-error", "-file-line-error",
                                 "-output-directory=\(workDirectory.path)", source.path]
            process.currentDirectoryURL = site
            let handle = try FileHandle(forWritingTo: transcript)
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            do { try process.run() } catch { throw ReportError("\(engine.path): could not start: \(error)") }
            process.waitUntilExit()
            try? handle.close()
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? (try? String(contentsOf: transcript, encoding: .utf8)) ?? ""
            guard process.terminationStatus == 0, fm.fileExists(atPath: pdf.path) else {
                throw ReportError(Self.failure(in: text, log: log, source: source))
            }
            if pass >= 2 && !Self.needsRerun(text) { return (pdf, pass) }
        }
        return (pdf, Self.maxPasses)
    }

    static func needsRerun(_ log: String) -> Bool {
        ["Rerun to get", "Label(s) may have changed", "Table widths have changed", "Rerun LaTeX"].contains { log.contains($0) }
    }

    /// What stopped TeX, in a line: a missing package or font (and the Debian package that has it), else the first error with its line.
    static func failure(in log: String, log logURL: URL, source: URL) -> String {
        let lines = log.components(separatedBy: "\n")
        if let line = lines.first(where: { $0.contains("LaTeX Error: File `") && $0.contains("' not found") }),
           let open = line.range(of: "File `"), let close = line.range(of: "' not found") {
            let file = String(line[open.upperBound..<close.lowerBound])
            return "the PDF needs \(file), which this TeX installation lacks: apt-get install \(packages) (scripts/bootstrap installs them), or build with --no-pdf; the HTML site was written"
        }
        if let line = lines.first(where: { $0.contains("cannot be found") && $0.lowercased().contains("font") }) {
            return "the PDF's font is missing (\(line.trimmingCharacters(in: .whitespaces))): apt-get install fonts-dejavu-core fonts-dejavu-extra, or build with --no-pdf; the HTML site was written"
        }
        let error = lines.firstIndex { $0.hasPrefix("! ") || $0.range(of: #"^[^ ]*\.tex:\d+: "#, options: .regularExpression) != nil }
        let excerpt = error.map { lines[$0..<min(lines.count, $0 + 3)].joined(separator: " ").trimmingCharacters(in: .whitespaces) } ?? "no error in the log"
        return "LuaLaTeX failed on \(source.path): \(excerpt) (the whole log: \(logURL.path)); the HTML site was written"
    }

    /// The page count LuaLaTeX logged ("Output written on report.pdf (63 pages, ...)").
    static func pages(log: URL) -> Int? {
        guard let text = try? String(contentsOf: log, encoding: .utf8), let range = text.range(of: "Output written on ") else { return nil }
        let rest = text[range.upperBound...]
        guard let open = rest.firstIndex(of: "(") else { return nil }
        return Int(rest[rest.index(after: open)...].prefix { $0.isNumber })
    }
}
