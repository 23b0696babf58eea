@testable import Engine
import Foundation
import Testing

/// `ExperimentConfiguration.tile`: experiments that see each image, shots included, in overlapping tiles.
@Suite struct TiledExperimentTests {
    /// The same tiny model and synthetic bottle class as the untiled runner's tests.
    let untiled = ExperimentTests()
    var scratch: URL { untiled.scratch }
    var dataRoot: String { untiled.dataRoot }
    func setUp() throws -> ExperimentModel { try untiled.setUp() }

    func configuration(_ method: DetectionMethod, tile: TileSetting) -> ExperimentConfiguration {
        var c = ExperimentConfiguration(dataset: .synthetic, className: "bottle")
        c.method = method; c.epochs = 3; c.evaluationSize = 64; c.learnedPrompts = 2; c.anomaliesPerShot = 2
        c.anomalies = .cutpaste; c.tile = tile
        return c
    }

    @Test func everyMethodSeesEachTileOnceAndScoresTheImageAsItsTiles() throws {
        let model = try setUp()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let store = ExperimentStore(directory: scratch.appendingPathComponent("experiments"))
        // 64 px images in tiles of 48: starts 0 and 16 on each side, 4 tiles of the tiny model's 4 x 4 grid.
        var misses: [DetectionMethod: Int] = [:]
        for method in DetectionMethod.allCases {
            let (result, _) = try Experiment(configuration(method, tile: .side(48)), dataRoot: dataRoot).run(model: model, store: store)
            #expect(result.images.count == 55)
            #expect(result.images.allSatisfy { $0.tiling == Tiling(width: 64, height: 64, side: 48) && $0.patchMap.count == 4 * 16 })
            #expect(result.images.allSatisfy { $0.deviations == nil }, "deviations are kept for whole images only")
            let m = result.metrics
            for value in [m.imageAUROC, m.pixelAUROC, m.aupro, m.f1max, m.pixelF1max] { #expect((0...1).contains(value), "\(method): \(m)") }
            // Each tile is its own image to the model: the four tiles' maps are not one map four times.
            let tiles = (0..<4).map { Array(result.images[0].patchMap[$0 * 16 ..< ($0 + 1) * 16]) }
            #expect(Set(tiles.map { $0.map { Int($0 * 1e4) } }).count == 4, "\(method)")
            misses[method] = result.cacheMisses
        }
        // The memory encodes the shot's 4 tiles and the test images' 220; DevPrompt only its CutPaste anomalies of each shot tile.
        #expect(misses[.memory] == 4 + 55 * 4 && misses[.promptad] == 0 && misses[.devprompt] == 4 * 2, "\(misses)")
        #expect(misses[.winclip] == 55 * 4 && misses[.winclipPlus] == 4, "\(misses)")
        // Tiled and whole are different experiments.
        let whole = try Experiment(configuration(.memory, tile: .off), dataRoot: dataRoot).run(model: model, store: store)
        let tiled = try Experiment(configuration(.memory, tile: .side(48)), dataRoot: dataRoot).run(model: model, store: store)
        #expect(!whole.memoised && tiled.memoised && whole.result.runID != tiled.result.runID)
        #expect(whole.result.images.allSatisfy { $0.tiling == nil && $0.patchMap.count == 16 })
        // A tile as large as the image is one view of all of it, but a tile still: not the whole image's entry.
        let one = try Experiment(configuration(.memory, tile: .side(64)), dataRoot: dataRoot).run(model: model, store: store)
        #expect(one.result.cacheMisses == 56 && one.result.images.allSatisfy { $0.patchMap.count == 16 })
    }

    /// A tiled image's evaluation map puts each tile's map where the tile lies, in the configuration's geometry.
    @Test func aTiledMapLiesWhereItsTileDoes() throws {
        let tiling = Tiling(width: 96, height: 64, side: 48)
        #expect(tiling.tiles.map { [$0.x, $0.y] } == [[0, 0], [36, 0], [48, 0], [0, 16], [36, 16], [48, 16]])
        // Only the last tile (bottom right) sees anything.
        var patches = [Float](repeating: 0, count: tiling.tiles.count * 16)
        for i in 5 * 16 ..< 6 * 16 { patches[i] = 1 }
        let image = ScoredImage(path: "x.png", defect: "crack", mask: nil, score: 1, patchMap: patches, tiling: tiling)
        for geometry in InputGeometry.allCases {
            var c = ExperimentConfiguration(dataset: .folder, className: "x")
            c.evaluationSize = 32; c.geometry = geometry
            let result = ExperimentResult(configuration: c, model: "m", modelIdentity: "m", dataRoot: "/", shots: [], taps: [], gridWidth: 4, gridHeight: 4,
                                          images: [image], metrics: ExperimentMetrics(imageAUROC: 0, pixelAUROC: 0, aupro: 0, f1max: 0, pixelF1max: 0, imageAUROCInterval: []),
                                          losses: [], seconds: [:], cacheHits: 0, cacheMisses: 0)
            let map = result.evaluationMap(image)
            #expect(map.count == 32 * 32)
            let strongest = map.indices.max { map[$0] < map[$1] }!
            #expect(strongest % 32 >= 16 && strongest / 32 >= 16, "\(geometry): strongest at \(strongest % 32), \(strongest / 32)")
            // The top-left corner no tile but the first sees stays at the others' 0.
            #expect(map[0] < 1e-3 && map[strongest] > 0.5, "\(geometry)")
        }
    }

    @Test func theTileSettingReadsAndWritesAsTheFlagsWords() throws {
        for (setting, json) in [(TileSetting.off, "\"off\""), (.auto, "\"auto\""), (.side(192), "192")] {
            #expect(String(decoding: try JSONEncoder().encode(setting), as: UTF8.self) == json)
            #expect(try JSONDecoder().decode(TileSetting.self, from: Data(json.utf8)) == setting)
            #expect(TileSetting(argument: setting.description) == setting)
        }
        for bad in ["8", "\"big\"", "-3"] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(TileSetting.self, from: Data(bad.utf8)) }
        }
        #expect(TileSetting(argument: "15") == nil && TileSetting(argument: "tiles") == nil)
        // A configuration written before tiling existed is an untiled one.
        let old = try JSONDecoder().decode(ExperimentConfiguration.self, from: Data(#"{"dataset": "synthetic", "className": "bottle"}"#.utf8))
        #expect(old.tile == .off)
        var c = old
        c.tile = .side(48)
        #expect(try JSONDecoder().decode(ExperimentConfiguration.self, from: try JSONEncoder().encode(c)).tile == .side(48))
        #expect(c.summary.contains("tiles of 48 px"))
    }
}
