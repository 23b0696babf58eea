@testable import Engine
import Foundation
import TestSupport
import Testing

/// Small crafted files a hostile user could hand the loaders: each is a clear error naming the file,
/// found before anything large is allocated.
@Suite struct HostileInputTests {
    static let images = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/images")
    static let tinyModel = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/clip/tiny_gelu_f16/model.safetensors")

    func scratch() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func imageError(_ path: String) -> String? {
        do { _ = try ImageFile.read(path); return nil } catch { return "\(error)" }
    }

    @Test func aJPEGWhoseHeaderClaimsAHugeImageIsRefusedBeforeDecoding() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        var bytes = [UInt8](try Data(contentsOf: Self.images.appendingPathComponent("photo.JPG")))
        // The baseline frame header (FFC0): length, precision, then height and width, big-endian.
        let sof = try #require((0..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        bytes[sof + 5] = 0xFF; bytes[sof + 6] = 0xDC; bytes[sof + 7] = 0xFF; bytes[sof + 8] = 0xDC   // 65500 x 65500
        let path = dir.appendingPathComponent("huge.jpg").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let message = try #require(imageError(path))
        #expect(message.contains("huge.jpg") && message.contains("65500 x 65500") && message.contains("limit of 100 MP"), "\(message)")
        #expect(throws: ImageError.self) { _ = try ImageFile.size(path) }
    }

    @Test func aPNGWhoseHeaderClaimsAHugeImageIsRefusedByReadAndBySize() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, side, depth, color) in [("claims.png", 100_000, 8, 2), ("onebit.png", 60_000, 1, 0)] {
            let path = dir.appendingPathComponent(name).path
            try CraftedPNG.header(width: side, height: side, bitDepth: depth, colorType: color).write(to: URL(fileURLWithPath: path))
            let message = try #require(imageError(path))
            #expect(message.contains(name) && message.contains("\(side) x \(side) pixels") && message.contains("limit of 100 MP"), "\(message)")
            #expect(throws: ImageError.self) { _ = try ImageFile.size(path) }
        }
    }

    @Test func aFolderGivenAsAnImageIsNamedAsAFolder() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(imageError(dir.path)?.contains("is a folder, not an image file") == true)
    }

    @Test func cmykJPEGsDecodeAsPillowConvertsThem() throws {
        let image = try ImageFile.read(Self.images.appendingPathComponent("cmyk.jpg").path)
        struct Expected: Decodable { var width: Int, height: Int, channels: Int, pixels: [Int] }
        struct File: Decodable { var images: [String: Expected] }
        let want = try #require(try JSONDecoder().decode(File.self, from: Data(contentsOf: Self.images.appendingPathComponent("images.json"))).images["cmyk.jpg"])
        #expect(image.width == want.width && image.height == want.height && image.channels == 3)
        let worst = zip(image.pixels, want.pixels).map { abs(Int(($0 * 255).rounded()) - $1) }.max() ?? 255
        #expect(worst <= 1, "largest difference from Pillow: \(worst) levels")
    }

    // MARK: safetensors

    /// A safetensors file from a raw header and body.
    func safetensors(header: String, body: Data = Data(), length: UInt64? = nil, in dir: URL) throws -> String {
        var file = Data()
        withUnsafeBytes(of: (length ?? UInt64(header.utf8.count)).littleEndian) { file.append(contentsOf: $0) }
        file.append(Data(header.utf8))
        file.append(body)
        let path = dir.appendingPathComponent("crafted-\(UUID().uuidString.prefix(8)).safetensors").path
        try file.write(to: URL(fileURLWithPath: path))
        return path
    }

    func loadError(_ path: String) -> String? {
        do { _ = try Safetensors(path: path); return nil } catch { return "\(error)" }
    }

    @Test func craftedSafetensorsHeadersAreErrorsNotTraps() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let huge = try safetensors(header: "{}", length: UInt64(Int64.max), in: dir)
        #expect(loadError(huge)?.contains("header length 9223372036854775807 runs past the end") == true)
        let wide = try safetensors(header: #"{"t":{"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,4]}}"#,
                                   body: Data(count: 4), in: dir)
        #expect(loadError(wide)?.contains("too large to address") == true, "\(loadError(wide) ?? "")")
        let negative = try safetensors(header: #"{"t":{"dtype":"F32","shape":[-1,-4],"data_offsets":[0,16]}}"#, body: Data(count: 16), in: dir)
        #expect(loadError(negative)?.contains("negative or too large") == true)
        let shared = try safetensors(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
                                     body: Data(count: 12), in: dir)
        #expect(loadError(shared)?.contains("tensors a and b share bytes 4..<8") == true, "\(loadError(shared) ?? "")")
        #expect(loadError(dir.path)?.contains("is a folder") == true)
    }

    @Test func aStrayBlockIsNamedAsUnexpectedNotAsAMissingBlock() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Safetensors(path: Self.tinyModel.path)
        var tensors = try file.entries.keys.sorted().map { (name: $0, shape: file.entries[$0]!.shape, values: try file.floats($0)) }
        let donor = try #require(tensors.first { $0.name == "visual.transformer.resblocks.0.ln_1.weight" })
        tensors.append((name: "visual.transformer.resblocks.99.ln_1.weight", shape: donor.shape, values: donor.values))
        let path = dir.appendingPathComponent("model.safetensors")
        try Safetensors.write(tensors, to: path)
        try? FileManager.default.copyItem(at: Self.tinyModel.deletingLastPathComponent().appendingPathComponent("config.json"),
                                          to: dir.appendingPathComponent("config.json"))
        do {
            _ = try CLIPWeights.load(path: path.path)
            Issue.record("a stray block was accepted")
        } catch {
            #expect("\(error)".contains("unexpected tensor visual.transformer.resblocks.99.ln_1.weight"), "\(error)")
            #expect("\(error)".contains("then block"), "\(error)")
        }
    }

    // MARK: paths from data

    @Test func pathsFromDataMayNotLeaveTheirFolder() throws {
        #expect(throws: EngineError.self) { _ = try ContainedPath.resolve("../victim/data.png", inside: "/data/visa", what: "row 2") }
        #expect(throws: EngineError.self) { _ = try ContainedPath.resolve("candle/../../x.png", inside: "/data/visa", what: "row 2") }
        #expect(throws: EngineError.self) { _ = try ContainedPath.resolve("/etc/passwd", inside: "/data/visa", what: "row 2") }
        #expect(try ContainedPath.resolve("candle/Data/Images/Normal/0000.JPG", inside: "/data/visa/", what: "row 2")
                == "/data/visa/candle/Data/Images/Normal/0000.JPG")
        #expect(throws: EngineError.self) { try ContainedPath.checkName("..", what: "class") }
        #expect(throws: EngineError.self) { try ContainedPath.checkName("a/b", what: "class") }
    }

    @Test func aVisARowLeadingOutsideTheRootIsAnErrorAndDataCheckSaysSo() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = dir.appendingPathComponent("visa")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("split_csv"), withIntermediateDirectories: true)
        try "object,split,label,image,mask\ncandle,train,normal,candle/0.png,\ncandle,test,normal,../victim/data.png,\n"
            .write(to: root.appendingPathComponent("split_csv/1cls.csv"), atomically: true, encoding: .utf8)
        let dataset = try AnomalyDataset(kind: .visa, root: root.path)
        #expect(throws: EngineError.self) { _ = try dataset.load("candle") }
        let report = try DataCheck.run(dataset, depth: .listing)
        #expect(report[0].problems.contains { $0.contains("row 3") && $0.contains("leads outside") }, "\(report[0].problems)")
    }

    @Test func dataCheckReportsWhatEvalWouldReject() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = dir.appendingPathComponent("part")
        for folder in ["train/good", "test/good", "test/crack", "ground_truth/crack"] {
            try FileManager.default.createDirectory(at: base.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let fm = FileManager.default
        try fm.copyItem(at: Self.images.appendingPathComponent("rgb8.png"), to: base.appendingPathComponent("train/good/000.png"))
        try fm.copyItem(at: Self.images.appendingPathComponent("cmyk.jpg"), to: base.appendingPathComponent("train/good/001.jpg"))
        try fm.copyItem(at: Self.images.appendingPathComponent("truncated.png"), to: base.appendingPathComponent("test/good/000.png"))
        try CraftedPNG.header(width: 100_000, height: 100_000, bitDepth: 8, colorType: 2).write(to: base.appendingPathComponent("test/good/001.png"))
        try Data("BM".utf8).write(to: base.appendingPathComponent("test/good/002.bmp"))
        try fm.copyItem(at: Self.images.appendingPathComponent("gray8.png"), to: base.appendingPathComponent("test/crack/000.png"))
        try PNGCodec.write(Image(width: 10, height: 6, channels: 1), to: base.appendingPathComponent("ground_truth/crack/000_mask.png").path)
        let problems = try DataCheck.run(try AnomalyDataset(kind: .folder, root: dir.path))[0].problems
        let text = problems.joined(separator: "\n")
        #expect(text.contains("test/good/000.png: corrupt PNG"), "\(text)")
        #expect(text.contains("test/good/001.png: image is 100000 x 100000 pixels"))
        #expect(text.contains("1 .bmp file(s) ignored"))
        #expect(text.contains("000_mask.png: the mask of a defective image is all zero"))
        #expect(!text.contains("001.jpg") && !text.contains("train/good/000.png"), "the CMYK JPEG and the good PNG are read")
        #expect(problems.count == 4, "\(text)")
    }

    // MARK: the write rule

    @Test func aFolderIsReplacedOnlyWhenThisToolMadeIt() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let user = dir.appendingPathComponent("user")
        try FileManager.default.createDirectory(at: user, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: user.appendingPathComponent("thesis.tex"))
        #expect(throws: EngineError.self) { _ = try OwnedFolder(user.path, command: "test") }
        let file = dir.appendingPathComponent("file.txt")
        try Data("a file".utf8).write(to: file)
        #expect(throws: EngineError.self) { _ = try OwnedFolder(file.path, command: "test") }
        #expect(try String(contentsOf: file, encoding: .utf8) == "a file")
        // A folder that holds a protected path may not be an output.
        #expect(throws: EngineError.self) { _ = try OwnedFolder(dir.path, command: "test", protecting: [user.path]) }

        let out = try OwnedFolder(dir.appendingPathComponent("out").path, command: "test")
        try out.write { try Data("1".utf8).write(to: $0.appendingPathComponent("a")) }
        #expect(OwnedFolder.isOwned(out.url))
        try out.write { try Data("2".utf8).write(to: $0.appendingPathComponent("b")) }
        #expect(!FileManager.default.fileExists(atPath: out.url.appendingPathComponent("a").path), "no stale files")
        // A failing write leaves the previous folder whole and no staging folder.
        struct Boom: Error {}
        #expect(throws: Boom.self) { try out.write { try Data("3".utf8).write(to: $0.appendingPathComponent("c")); throw Boom() } }
        #expect(try String(contentsOf: out.url.appendingPathComponent("b"), encoding: .utf8) == "2")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["file.txt", "out", "user"])
    }

    @Test func anotherCommandsFolderIsNotReplacedAndAKilledSwapIsUndone() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let trained = try OwnedFolder(dir.appendingPathComponent("run").path, command: "report pretrain --out")
        try trained.createInPlace()
        try Data("weights".utf8).write(to: trained.url.appendingPathComponent("model.safetensors"))
        #expect(throws: EngineError.self) { _ = try OwnedFolder(trained.url.path, command: "report eval --save-maps") }
        // A writer killed between its renames left the old folder aside and none in its place: it is put back.
        let site = dir.appendingPathComponent("output")
        let aside = dir.appendingPathComponent(".output.old-999999")
        try FileManager.default.createDirectory(at: aside, withIntermediateDirectories: true)
        try Data("previous".utf8).write(to: aside.appendingPathComponent("index.html"))
        OwnedFolder.removeStale(besides: site)
        #expect(try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8) == "previous")
    }

    // MARK: caches that cannot lie

    @Test func fileDigestsSeeEveryByteAndEveryEdit() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("weights.bin").path
        var bytes = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 * 7) })
        try bytes.write(to: URL(fileURLWithPath: path))
        let digests = FileDigests(memo: dir.appendingPathComponent("memo.json"))
        let original = try digests.digest(of: path)
        // A middle byte changed, the size and the modification time set back as `cp -p` would: still seen.
        let date = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
        bytes[(3 << 20) / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
        #expect(try FileDigests(memo: dir.appendingPathComponent("memo.json")).digest(of: path) != original)
        #expect(try FileIdentity.of(path) == FileDigests.hash(path))
    }

    @Test func anEditedExperimentRecordIsNotServed() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = ExperimentStore(directory: dir)
        let c = ExperimentConfiguration(dataset: .synthetic, className: "nut")
        let result = ExperimentResult(configuration: c, model: "m", modelIdentity: "i", dataRoot: "/d", shots: [], taps: [], gridWidth: 1, gridHeight: 1,
                                      images: [], metrics: ExperimentMetrics(imageAUROC: 0.5, pixelAUROC: 0.5, aupro: 0.5, f1max: 0.5, pixelF1max: 0.5, imageAUROCInterval: []),
                                      losses: [], seconds: [:], cacheHits: 0, cacheMisses: 0)
        try store.store(result, key: "k")
        #expect(store.load("k")?.metrics.pixelAUROC == 0.5)
        let url = dir.appendingPathComponent("k.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        try text.replacingOccurrences(of: "\"pixelAUROC\":0.5", with: "\"pixelAUROC\":0.99").write(to: url, atomically: true, encoding: .utf8)
        #expect(text.contains("\"pixelAUROC\":0.5"))
        #expect(store.load("k") == nil, "an edited record is dropped")
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }
}


/// Configurations from files are checked as flags are, and may name only what they change.
@Suite struct ConfigurationFileTests {
    @Test func aPartialConfigurationTakesTheDefaultsAndABadOneIsAnError() throws {
        let partial = #"{"dataset": "synthetic", "className": "nut", "detector": {"epochs": 2, "taps": [3, 1]}}"#
        let c = try JSONDecoder().decode(ExperimentConfiguration.self, from: Data(partial.utf8))
        #expect(c.epochs == 2 && c.margin == DetectorSettings().margin && c.evaluationSize == 256 && c.taps == [1, 3])
        try c.validate()
        for bad in [#"{"taps": []}"#, #"{"margin": -5}"#, #"{"anomaliesPerShot": -1}"#, #"{"topK": 2}"#] {
            let text = #"{"dataset": "synthetic", "className": "nut", "detector": "# + bad + "}"
            let config = try JSONDecoder().decode(ExperimentConfiguration.self, from: Data(text.utf8))
            #expect(throws: EngineError.self, "\(bad)") { try config.validate() }
        }
        var escaping = c
        escaping.className = "../x"
        #expect(throws: EngineError.self) { try escaping.validate() }
    }

    @Test func theModelsIdentityCoversTheArchitectureItWasLoadedWith() throws {
        let weights = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/clip/tiny_gelu_f16/model.safetensors").path
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("identity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let quick = dir.appendingPathComponent("quick.json")
        try #"{"activation": "quick_gelu"}"#.write(to: quick, atomically: true, encoding: .utf8)
        let cache = FeatureCache(directory: dir.appendingPathComponent("features"))
        let plain = try ExperimentModel(clip: try CLIPModel(path: weights), name: "a", cache: cache)
        let other = try ExperimentModel(clip: try CLIPModel(path: weights, configPath: quick.path), name: "b", cache: cache)
        let newer = try ExperimentModel(clip: try CLIPModel(path: weights), name: "c", cache: cache, featureCode: "other code")
        #expect(plain.identity != other.identity && plain.identity != newer.identity)
    }
}
