// What every experiment scored on one class's test set shares: the ground-truth masks at the evaluation
// size, their defect regions for AUPRO, and the visual memory's patch maps per set of shots, so that many
// experiments on one class (methods, draws, settings) make none of them twice.
import Foundation

final class TestSetScoring {
    let masks: [[Float]]
    let regions: AUPRO.Regions
    /// Per set of shots and taps: each test image's visual-memory map, by its path.
    private var visualMaps: [String: [String: [Float]]] = [:]

    init(images: [ScoredImage], root: String, size: Int, geometry: InputGeometry) throws {
        masks = try images.map { try ExperimentScoring.mask($0, root: root, size: size, geometry: geometry) }
        regions = try AUPRO.Regions(masks: masks, width: size, height: size)
    }

    /// Which test set an experiment is scored on: the same class, data, evaluation size, geometry and tiling share one.
    static func key(_ experiment: Experiment) -> String {
        let c = experiment.configuration
        return "\(c.dataset.rawValue)|\(experiment.dataRoot)|\(c.className)|\(c.evaluationSize)|\(c.geometry)|\(c.tile)"
    }

    /// The visual map of `image` (a path, with its tile's number when tiled) for the memory of `shots` at `taps`, computed on first use.
    func visualMap(shots: [String], taps: [Int], image: String, compute: () -> [Float]) -> [Float] {
        let memory = shots.joined(separator: "\n") + "|\(taps)"
        if let map = visualMaps[memory]?[image] { return map }
        let map = compute()
        visualMaps[memory, default: [:]][image] = map
        return map
    }
}
