// Where a report's files live: the package root with Chapters/, and output/ for the site.
import Foundation
import Notebook

public struct Project: Sendable {
    public var root: URL
    public var output: URL

    public init(root: URL, output: URL? = nil) {
        self.root = root.standardizedFileURL
        self.output = (output ?? root.appendingPathComponent("output")).standardizedFileURL
    }

    public var chaptersDirectory: URL { root.appendingPathComponent("Chapters") }

    /// Where a build with problems leaves its pages (`output.failed` beside `output`), the previous site staying in place.
    public var failedOutput: URL { output.deletingLastPathComponent().appendingPathComponent(output.lastPathComponent + ".failed") }

    /// The chapter files, ordered by file name.
    public func chapterFiles() throws -> [URL] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: chaptersDirectory.path)
        } catch {
            throw ReportError("\(chaptersDirectory.path): no chapters folder here (run from the package root, or pass --root)")
        }
        return names.filter { $0.hasSuffix(".md") && !$0.hasPrefix(".") }.sorted()
            .map { chaptersDirectory.appendingPathComponent($0) }
    }

    public func chapters() throws -> [Chapter] {
        try chapterFiles().map { url in
            do { return try ChapterParser.parse(file: relativePath(url)) }
            catch let error as ChapterError { throw ReportError(error.description) }
        }
    }

    /// A path relative to the root, as users see it ("Chapters/00-about.md").
    public func relativePath(_ url: URL) -> String {
        let path = url.standardizedFileURL.path
        return path.hasPrefix(root.path + "/") ? String(path.dropFirst(root.path.count + 1)) : path
    }
}

public struct ReportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
