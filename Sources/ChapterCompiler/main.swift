// Build-time tool run by the ChapterCells plugin:
//   ChapterCompiler <package-root> <output-dir> <chapter.md>...
// writes <name>.cells.swift for each chapter and ChapterRegistry.swift listing them all.
import Foundation
import Notebook

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write("usage: ChapterCompiler <package-root> <output-dir> <chapter.md>...\n".data(using: .utf8)!)
    exit(2)
}
let root = URL(fileURLWithPath: arguments[1]).standardizedFileURL.path
let outputDirectory = URL(fileURLWithPath: arguments[2])
try? FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
var chapters: [Chapter] = []
var failed = false

func write(_ text: String, to url: URL) throws {
    // Unchanged output keeps its timestamp, so the compiler does not redo the module for nothing.
    if let existing = try? String(contentsOf: url, encoding: .utf8), existing == text { return }
    try text.write(to: url, atomically: true, encoding: .utf8)
}

for path in arguments.dropFirst(3).sorted() {
    let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
    let display = absolute.hasPrefix(root + "/") ? String(absolute.dropFirst(root.count + 1)) : absolute
    do {
        let chapter = try ChapterParser.parse(file: absolute)
        chapters.append(chapter)
        try write(CellCodeGenerator.swiftSource(for: chapter, displayPath: display),
                  to: outputDirectory.appendingPathComponent("\(chapter.name).cells.swift"))
    } catch let error as ChapterError {
        // Printed as file:line: error: so the build output points at the chapter.
        var shown = error
        shown.path = display
        FileHandle.standardError.write("\(shown.line.map { "\(display):\($0)" } ?? display): error: \(error.reason)\n".data(using: .utf8)!)
        failed = true
    } catch {
        FileHandle.standardError.write("\(display): error: \(error)\n".data(using: .utf8)!)
        failed = true
    }
}
if failed { exit(1) }
do {
    try write(CellCodeGenerator.registrySource(for: chapters),
              to: outputDirectory.appendingPathComponent("ChapterRegistry.swift"))
} catch {
    FileHandle.standardError.write("ChapterCompiler: \(error)\n".data(using: .utf8)!)
    exit(1)
}
