// Speed of WinCLIP on this machine, for `report bench winclip`: images/s of the window features alone,
// of zero-shot WinCLIP and of 1-shot WinCLIP+ (text and shot features made once beforehand, as
// anomalib's `setup` does), at batch 1 and 8; what scripts/bench/anomalib_winclip.py is compared on.
import Foundation

public struct WinCLIPBenchmarkResult: Codable, Sendable {
    /// Mode ("encode", "zeroShot", "fewShot") -> batch ("1", "8") -> images/s.
    public var imagesPerSecond: [String: [String: Double]]
    /// Work of one image counted from the architecture (2 flops per multiply-add): the whole image and all its windows.
    public var gflopPerImage: [String: Double]
    /// Achieved GFLOP/s of the window features at batch 8, the sgemm rate measured in the same run, and their ratio.
    public var encodeGFLOPPerSecond: Double
    public var sgemmPeakGFLOPPerSecond: Double
    public var fractionOfSgemmPeak: Double
    public var windows: Int
}

public enum WinCLIPBenchmark {
    /// One image's whole pass with every token through the last block (its patch tokens are read), and its windows' passes
    /// (the last block computes only the class token's row after keys and values; anomalib's runs every row, 5% more).
    public static func flops(_ c: CLIPConfiguration, windows: WinCLIPWindows) -> (whole: Double, windows: Double) {
        let v = c.vision
        let C = Double(v.width), M = Double(v.mlpWidth), E = Double(c.embedDimension)
        func block(_ L: Double) -> Double { 2 * L * C * 3 * C + 2 * 2 * L * L * C + 2 * L * C * C + 2 * 2 * L * C * M }
        func lastBlock(_ L: Double) -> Double { 2 * L * C * 3 * C + 2 * 2 * L * C + 2 * C * C + 2 * 2 * C * M }
        let patch = 2 * Double(v.patches) * Double(3 * v.patchSize * v.patchSize) * C
        let T = Double(v.patches + 1)
        let whole = Double(v.layers) * block(T) + patch + 2 * C * E
        let windowWork = windows.windows.flatMap { $0 }.reduce(0.0) { sum, window in
            let L = Double(1 + window.count)
            return sum + Double(v.layers - 1) * block(L) + lastBlock(L) + 2 * C * E
        }
        // The windows reuse the whole pass's patch embedding: counted once, in `whole`.
        return (whole, windowWork)
    }

    public static func run(weightsPath: String, configPath: String?, repeats: Int,
                           progress: (String) -> Void = { _ in }) throws -> WinCLIPBenchmarkResult {
        let model = try CLIPModel(path: weightsPath, configPath: configPath)
        let v = model.configuration.vision
        let windows = WinCLIPWindows(gridHeight: v.gridHeight, gridWidth: v.gridWidth)
        var seed: UInt32 = 11
        func image() -> [Float] {
            (0..<(3 * v.imageHeight * v.imageWidth)).map { _ in seed = seed &* 1_664_525 &+ 1_013_904_223; return Float(seed >> 8) / Float(1 << 24) * 2 - 1 }
        }
        progress("text embeddings and the shot")
        let text = try WinCLIPPrompts.textEmbeddings(model, name: "bottle")
        let shot = try WinCLIPFeatures.encode([image()], model: model, windows: windows)
        let zeroShot = WinCLIPScorer(text: text, windows: windows), fewShot = WinCLIPScorer(text: text, windows: windows, shots: shot)
        var rates: [String: [String: Double]] = ["encode": [:], "zeroShot": [:], "fewShot": [:]]
        var encode8 = 0.0
        for batch in [1, 8] {
            let images = (0..<batch).map { _ in image() }
            progress("window features, batch \(batch)")
            let te = try CLIPBenchmark.bestTime(repeats) { _ = try WinCLIPFeatures.encode(images, model: model, windows: windows) }
            progress("WinCLIP, batch \(batch)")
            let tz = try CLIPBenchmark.bestTime(repeats) { _ = try WinCLIPFeatures.encode(images, model: model, windows: windows).map(zeroShot.score) }
            progress("WinCLIP+, batch \(batch)")
            let tf = try CLIPBenchmark.bestTime(repeats) { _ = try WinCLIPFeatures.encode(images, model: model, windows: windows).map(fewShot.score) }
            rates["encode"]!["\(batch)"] = Double(batch) / te
            rates["zeroShot"]!["\(batch)"] = Double(batch) / tz
            rates["fewShot"]!["\(batch)"] = Double(batch) / tf
            if batch == 8 { encode8 = te }
        }
        progress("sgemm peak")
        let peak = [1024, 2048].map { MatmulBenchmark.sgemm(size: $0, repeats: 5).gflopPerSecond }.max()!
        let work = flops(model.configuration, windows: windows)
        let achieved = 8 * (work.whole + work.windows) / encode8 / 1e9
        return WinCLIPBenchmarkResult(imagesPerSecond: rates, gflopPerImage: ["whole": work.whole / 1e9, "windows": work.windows / 1e9],
                                      encodeGFLOPPerSecond: achieved, sgemmPeakGFLOPPerSecond: peak, fractionOfSgemmPeak: achieved / peak,
                                      windows: windows.windows.reduce(0) { $0 + $1.count })
    }
}
