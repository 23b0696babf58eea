import Engine
import Foundation
import TestSupport
import Testing

/// The probes of a hostile but fair user, each as it was first tried: the tool must not delete or
/// overwrite what it did not make, and bad input is a clear error with a non-zero exit.
@Suite struct HostileUserTests {
    static let chapters = ReportRunner.packageRoot.appendingPathComponent("Chapters")
    static let weights = EvalDetectCommandTests.weights

    func userFolder(_ url: URL) throws -> URL {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try Data("my thesis".utf8).write(to: url.appendingPathComponent("thesis.tex"))
        return url
    }

    func intact(_ url: URL) -> Bool {
        (try? String(contentsOf: url.appendingPathComponent("thesis.tex"), encoding: .utf8)) == "my thesis"
    }

    @Test func buildNeverReplacesTheProjectOrAUsersFolder() throws {
        let report = try ReportRunner(binary: "report", chapters: Self.chapters)
        defer { report.remove() }
        try Data("mine".utf8).write(to: report.root.appendingPathComponent("notes.txt"))
        let intoRoot = try report.run(["build", "--chapter", "00-about", "--root", report.root.path, "--output", report.root.path])
        #expect(intoRoot.status == 1 && intoRoot.output.contains("refusing"), "\(intoRoot.output)")
        #expect(FileManager.default.fileExists(atPath: report.root.appendingPathComponent("Chapters/00-about.md").path))
        #expect(FileManager.default.fileExists(atPath: report.root.appendingPathComponent("notes.txt").path))

        let user = try userFolder(report.root.appendingPathComponent("papers"))
        let intoUser = try report.run(["build", "--chapter", "00-about", "--output", user.path])
        #expect(intoUser.status == 1 && intoUser.output.contains("a folder this tool did not make"), "\(intoUser.output)")
        #expect(intact(user))
        let clean = try report.run(["clean", "--output", user.path, "--keep-cache"])
        #expect(clean.status == 1 && clean.output.contains("refusing to empty it"), "\(clean.output)")
        #expect(intact(user))

        // Its own site it replaces, and cleans.
        #expect(try report.run(["build", "--chapter", "00-about"]).status == 0)
        #expect(try report.run(["build", "--chapter", "00-about"]).status == 0)
        #expect(try report.run(["clean"]).status == 0)
    }

    @Test func synthNeverReplacesAFile() throws {
        let report = try ReportRunner(binary: "report", chapters: Self.chapters)
        defer { report.remove() }
        let file = report.root.appendingPathComponent("results.csv")
        try Data("a,b\n".utf8).write(to: file)
        let run = try report.run(["data", "synth", "--out", file.path, "--size", "64"])
        #expect(run.status == 1 && run.output.contains("is a file, not a folder"), "\(run.output)")
        #expect(try String(contentsOf: file, encoding: .utf8) == "a,b\n")
    }

    @Test func aVisARowCannotReachOutsideTheDataRoot() throws {
        let report = try ReportRunner(binary: "report", chapters: Self.chapters)
        defer { report.remove() }
        let root = report.root.appendingPathComponent("visa")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("split_csv"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("candle"), withIntermediateDirectories: true)
        try PNGCodec.write(Image(width: 32, height: 32, channels: 3, fill: 0.5), to: root.appendingPathComponent("candle/0.png").path)
        try "object,split,label,image,mask\ncandle,train,normal,candle/0.png,\ncandle,test,normal,../victim/data.png,\n"
            .write(to: root.appendingPathComponent("split_csv/1cls.csv"), atomically: true, encoding: .utf8)
        let victim = try userFolder(report.root.appendingPathComponent("victim"))
        let maps = report.root.appendingPathComponent("maps")
        let run = try report.run(["eval", "--dataset", "visa", "--data-root", root.path, "--class", "candle", "--weights", Self.weights,
                                  "--epochs", "1", "--save-maps", maps.path])
        #expect(run.status == 1 && run.output.contains("row 3") && run.output.contains("leads outside"), "\(run.output)")
        #expect(intact(victim) && !FileManager.default.fileExists(atPath: victim.appendingPathComponent("data.npy").path))
        let check = try report.run(["data", "check", "--dataset", "visa", "--data-root", root.path])
        #expect(check.status == 1 && check.output.contains("leads outside"), "\(check.output)")
        #expect(!FileManager.default.fileExists(atPath: maps.path))
    }

    @Test func craftedFilesAndBadFlagsAreClearErrors() throws {
        let report = try ReportRunner(binary: "report", chapters: Self.chapters)
        defer { report.remove() }
        let huge = report.root.appendingPathComponent("huge.png")
        try CraftedPNG.header(width: 100_000, height: 100_000, bitDepth: 8, colorType: 2).write(to: huge)
        let normal = report.root.appendingPathComponent("normal.png")
        try PNGCodec.write(Image(width: 32, height: 32, channels: 3, fill: 0.5), to: normal.path)
        let out = report.root.appendingPathComponent("out").path
        let detect = ["detect", "--weights", Self.weights, "--normal", normal.path, "--out", out, "--epochs", "1"]
        let bomb = try report.run(detect + ["--image", huge.path])
        #expect(bomb.status == 1 && bomb.output.contains("huge.png: image is 100000 x 100000 pixels"), "\(bomb.output)")
        let folder = try report.run(detect + ["--image", report.root.path])
        #expect(folder.status == 1 && folder.output.contains("is a folder, not an image file"), "\(folder.output)")
        for (flag, value, message) in [("--size", "100000", "--eval-size must be from 16 to 1024"), ("--margin", "-5", "--margin is a positive number"),
                                       ("--margin", "nan", "--margin is a positive number"), ("--lambda", "-1", "--lambda is a non-negative")] {
            let run = try report.run(detect + ["--image", normal.path, "\(flag)=\(value)"])
            #expect(run.status == 64 && run.output.contains(message), "\(flag) \(value): \(run.output)")
        }
        let eval = try report.run(["eval", "--dataset", "synthetic", "--class", "nut", "--eval-size", "100000"])
        #expect(eval.status == 64 && eval.output.contains("--eval-size must be from 16 to 1024"), "\(eval.output)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let weightsFolder = try report.run(["build", "--weights", report.root.path])
        #expect(weightsFolder.status == 64 && weightsFolder.output.contains("is a folder"), "\(weightsFolder.output)")
        let embed = try report.run(["embed", "--weights", report.root.path, "--text", "a"])
        #expect(embed.status == 1 && embed.output.contains("is a folder"), "\(embed.output)")
    }

    @Test func aDataRootWithoutClassesIsAnError() throws {
        let report = try ReportRunner(binary: "report", chapters: Self.chapters)
        defer { report.remove() }
        let empty = report.root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        for root in [empty.path, "/"] {
            let build = try report.run(["build", "--chapter", "00-about", "--data-root", root])
            #expect(build.status == 1 && build.output.contains("no classes found"), "\(build.output)")
        }
        let eval = try report.run(["eval", "--dataset", "folder", "--data-root", empty.path, "--class", "all", "--weights", Self.weights])
        #expect(eval.status == 1 && eval.output.contains("no classes found for --class all"), "\(eval.output)")
        let badClass = try report.run(["eval", "--dataset", "folder", "--data-root", empty.path, "--class", "../x", "--weights", Self.weights])
        #expect(badClass.status == 64 && badClass.output.contains("not a plain name"), "\(badClass.output)")
    }

    @Test func writeErrorsAreOneReadableLine() throws {
        let report = try ReportRunner(binary: "report", chapters: Self.chapters)
        defer { report.remove() }
        let file = report.root.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let data = report.root.appendingPathComponent("data").path
        try SyntheticBenchmark(seed: 5, size: 32).write(to: data, products: [.nut])
        let run = try report.run(["eval", "--dataset", "synthetic", "--data-root", data, "--class", "nut", "--weights", Self.weights,
                                  "--epochs", "1", "--eval-size", "32", "--save-maps", file.path + "/maps"])
        #expect(run.status == 1 && run.output.contains("a-file is a file, not a folder"), "\(run.output)")
        #expect(!run.output.contains("NSCocoaErrorDomain") && !run.output.contains("image AUROC"), "\(run.output)")
    }
}
