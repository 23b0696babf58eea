// Speed of the CLIP towers on this machine, for `report bench clip`: what PyTorch is compared on.
import Foundation

public struct CLIPBenchmarkResult: Codable, Sendable {
    public var batch1ImagesPerSecond: Double
    public var batch8ImagesPerSecond: Double
    public var textPromptsPerSecond: Double
    /// One prompt-learning step: forward and backward through the text tower, 32 prompts, 4 learnable context vectors.
    public var promptStepSeconds: Double
    public var peakRSSBytes: Int
    /// Multiply-add work of one image forward, counted from the architecture (2 flops per multiply-add).
    public var visionGFLOPPerImage: Double
    /// Achieved GFLOP/s at batch 8, and as a fraction of the sgemm rate measured in the same run.
    public var batch8GFLOPPerSecond: Double
    public var sgemmPeakGFLOPPerSecond: Double
    public var fractionOfSgemmPeak: Double
    public var loadSeconds: Double
}

public enum CLIPBenchmark {
    public static func visionFLOPs(_ c: CLIPConfiguration) -> Double {
        let v = c.vision
        let T = Double(v.patches + 1), C = Double(v.width), M = Double(v.mlpWidth)
        let perBlock = 2 * T * C * 3 * C + 2 * 2 * T * T * C + 2 * T * C * C + 2 * 2 * T * C * M
        // The last block computes keys and values for every token, the rest for the class token only.
        let lastBlock = 2 * T * C * 3 * C + 2 * 2 * T * C + 2 * C * C + 2 * 2 * C * M
        let patch = 2 * Double(v.patches) * Double(3 * v.patchSize * v.patchSize) * C
        return Double(v.layers - 1) * perBlock + lastBlock + patch + 2 * C * Double(c.embedDimension)
    }

    public static func run(weightsPath: String, configPath: String?, repeats: Int,
                           progress: (String) -> Void = { _ in }) throws -> CLIPBenchmarkResult {
        let loadStart = Date()
        let model = try CLIPModel(path: weightsPath, configPath: configPath)
        let loadSeconds = Date().timeIntervalSince(loadStart)
        let v = model.configuration.vision
        var seed: UInt32 = 7
        func image() -> [Float] {
            (0..<(3 * v.imageHeight * v.imageWidth)).map { _ in seed = seed &* 1_664_525 &+ 1_013_904_223; return Float(seed >> 8) / Float(1 << 24) * 2 - 1 }
        }
        let one = [image()], eight = (0..<8).map { _ in image() }
        progress("images, batch 1")
        let t1 = try bestTime(repeats) { _ = try model.vision.forward(one) }
        progress("images, batch 8")
        let t8 = try bestTime(repeats) { _ = try model.vision.forward(eight) }
        progress("32 text prompts")
        let prompts = try (0..<32).map { TextTransformer.Prompt(tokens: try model.tokens("a photo of a damaged object number \($0).")) }
        let tt = try bestTime(repeats) { _ = try model.text.forward(prompts) }
        progress("prompt-learning step")
        let stepSeconds = try bestTime(repeats) { try promptLearningStep(model) }
        progress("sgemm peak")
        // The machine's rate: the best of two sizes, five runs each (one short run reads low on a busy machine).
        let peak = [1024, 2048].map { MatmulBenchmark.sgemm(size: $0, repeats: 5).gflopPerSecond }.max()!
        let flops = visionFLOPs(model.configuration)
        let achieved = 8 * flops / t8 / 1e9
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return CLIPBenchmarkResult(batch1ImagesPerSecond: 1 / t1, batch8ImagesPerSecond: 8 / t8, textPromptsPerSecond: 32 / tt,
                                   promptStepSeconds: stepSeconds,
                                   peakRSSBytes: Int(usage.ru_maxrss) * 1024, visionGFLOPPerImage: flops / 1e9,
                                   batch8GFLOPPerSecond: achieved, sgemmPeakGFLOPPerSecond: peak,
                                   fractionOfSgemmPeak: achieved / peak, loadSeconds: loadSeconds)
    }

    /// PromptAD's shape of step: "[C1..C4] {state} {class}." prompts, context vectors replacing
    /// the four placeholder embeddings, gradient of a loss on the 32 features back to them.
    static func promptLearningStep(_ model: CLIPModel) throws {
        let C = model.configuration.text.width, E = model.configuration.embedDimension
        let states = ["damaged", "flawed", "abnormal", "imperfect", "blemished", "with flaw", "with defect", "with damage"]
        var prompts: [TextTransformer.Prompt] = []
        for i in 0..<32 {
            let tokens = try model.tokens("x x x x \(states[i % states.count]) bottle number \(i / 8).")
            var replacements: [Int: [Float]] = [:]
            for p in 1...4 { replacements[p] = [Float](repeating: 0.01 * Float(p), count: C) }
            prompts.append(.init(tokens: tokens, replacements: replacements))
        }
        let (_, tape) = try model.text.forwardTaped(prompts)
        _ = model.text.backward(tape, featureGradients: [[Float]](repeating: [Float](repeating: 0.01, count: E), count: 32))
    }

    static func bestTime(_ repeats: Int, _ body: () throws -> Void) throws -> Double {
        try body()
        var best = Double.infinity
        for _ in 0..<max(repeats, 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return best
    }
}
