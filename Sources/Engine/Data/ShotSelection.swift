// Which normal training images are the k shots: drawn deterministically from a seed, or
// PromptAD's published 1-shot choices (docs/method-notes.md section 8).
public enum ShotSelection {
    /// k images of `train` (sorted by path), shuffled by a seeded generator: the same seed, the same shots.
    public static func seeded(_ train: [AnomalySample], k: Int, seed: UInt64) throws -> [AnomalySample] {
        guard k >= 1, k <= train.count else {
            throw EngineError.invalidInput("\(k) shots asked for, \(train.count) normal training images available")
        }
        var generator = SplitMix64(seed: seed)
        var pool = train.sorted { $0.path < $1.path }
        // Fisher-Yates, first k positions only.
        for i in 0..<k {
            let j = i + Int(generator.next() % UInt64(pool.count - i))
            pool.swapAt(i, j)
        }
        return Array(pool.prefix(k))
    }

    /// An experiment's shots: PromptAD's published pick for a 1-shot run on MVTec AD or VisA (unless the configuration
    /// turns it off, or the listing lacks it), otherwise `shots` images drawn with the configuration's seed.
    public static func shots(_ train: [AnomalySample], configuration c: ExperimentConfiguration) throws -> [AnomalySample] {
        if c.shots == 1 && c.promptADShots && (c.dataset == .mvtec || c.dataset == .visa),
           let pick = try? promptAD(train, dataset: c.dataset, className: c.className) {
            return [pick]
        }
        return try seeded(train, k: c.shots, seed: c.seed)
    }

    /// PromptAD's 1-shot picks, as an index into the sorted training listing.
    /// **[choice]** PromptAD indexes an unsorted directory listing; a sorted one is reproducible.
    public static let promptADOneShot: [String: Int] = {
        var table: [String: Int] = [:]
        for c in ["bottle", "cable", "capsule", "leather", "metal_nut", "tile", "transistor", "wood", "zipper"] { table["mvtec/" + c] = 131 }
        for c in ["carpet", "grid", "hazelnut", "pill", "screw"] { table["mvtec/" + c] = 263 }
        table["mvtec/toothbrush"] = 32
        for c in ["candle", "capsules", "macaroni1", "macaroni2", "pcb1", "pcb2", "pcb3", "pcb4"] { table["visa/" + c] = 266 }
        for c in ["cashew", "chewinggum", "fryum", "pipe_fryum"] { table["visa/" + c] = 133 }
        return table
    }()

    public static func promptAD(_ train: [AnomalySample], dataset: DatasetKind, className: String) throws -> AnomalySample {
        guard let index = promptADOneShot["\(dataset.rawValue)/\(className)"] else {
            throw EngineError.invalidInput("PromptAD published no 1-shot choice for \(dataset.rawValue)/\(className)")
        }
        let sorted = train.sorted { $0.path < $1.path }
        guard index < sorted.count else {
            throw EngineError.invalidInput("PromptAD's 1-shot image is number \(index), but \(className) has \(sorted.count) training images")
        }
        return sorted[index]
    }
}
