import ArgumentParser
import Engine
import Foundation
import ReportKit

extension DenseTokens: ExpressibleByArgument {}

/// `report pretrain`: the default model, pretrained on the synthetic caption stream.
struct PretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Pretrain the small CLIP on fresh synthetic images; writes OpenCLIP-named safetensors, a JSON log and a loss curve.")

    @Option(help: "Folder for model.safetensors, log.json and loss-curve.svg: a new or empty one, or one an earlier run wrote (the shipped model's folder is refused).")
    var out = "pretrained"

    @Option(help: "Optimiser steps (1600: the shipped model's recipe).")
    var steps = 1600

    @Option(help: "Stop after this many steps of the schedule planned for --steps (the checkpoint the shipped model is).")
    var stopAfter: Int?

    @Option(help: "Images per step.")
    var batch = 32

    @Option(help: "Peak learning rate (AdamW, after linear warm-up, cosine to zero).")
    var learningRate: Float = 5e-4

    @Option(help: "Warm-up steps.")
    var warmup = 100

    @Option(help: "Weight of the dense (patch-to-prompt) term.")
    var denseWeight: Float = 1

    @Option(help: "The patch tokens the dense term reads: value-value (PromptAD's V-V surgery tokens) or ordinary.")
    var denseTokens: DenseTokens = .valueValue

    @Option(help: "Write a checkpoint every this many steps, so a stopped run leaves a usable model.")
    var checkpointEvery = 250

    @Flag(help: "Keep every checkpoint as checkpoint-<step>.safetensors (to choose one on held-out data).")
    var keepCheckpoints = false

    @Option(help: "Seed of the initialisation and the image stream.")
    var seed: UInt64 = 0

    @Option(help: "Transformer layers per tower.")
    var layers = 4

    @Option(help: "Width of both towers (64 per attention head).")
    var width = 192

    @Option(help: "Input size in pixels (square; a multiple of the patch size, 8).")
    var imageSize = 128

    @Flag(help: "Store F32 instead of F16.")
    var fullPrecision = false

    func validate() throws {
        if steps < 1 || batch < 2 { throw ValidationError("--steps must be at least 1 and --batch at least 2") }
        if width % 64 != 0 { throw ValidationError("--width must be a multiple of 64 (the head width)") }
        if imageSize < 16 || imageSize % 8 != 0 { throw ValidationError("--image-size must be a multiple of 8 (the patch size), at least 16") }
        if checkpointEvery < 1 { throw ValidationError("--checkpoint-every must be at least 1") }
    }

    func run() throws {
        TerminalProgress.install()
        var settings = PretrainingSettings()
        settings.steps = steps; settings.batchSize = batch; settings.learningRate = learningRate; settings.warmup = warmup
        settings.denseWeight = denseWeight; settings.denseTokens = denseTokens; settings.seed = seed; settings.stopAfter = stopAfter; settings.layers = layers; settings.width = width
        settings.imageSize = imageSize
        // Checkpoints are written as training goes, so the folder is made in place: an earlier run's is emptied first.
        let folder = try reportingErrors("report pretrain") { try OwnedFolder(out, command: "report pretrain --out") }
        try reportingErrors("report pretrain") { _ = try folder.removeContents(); try folder.createInPlace() }
        let directory = folder.url
        let metadata = ["origin": "report pretrain", "steps": "\(steps)", "batch": "\(batch)", "seed": "\(seed)", "dense_tokens": denseTokens.rawValue]
        let last = min(stopAfter ?? steps, steps)
        let (parameters, log) = try PretrainingRun.train(settings) { entry, parameters in
            // Named by the steps taken, so checkpoint-00250 is what --stop-after 250 gives.
            let taken = entry.step + 1
            if taken % checkpointEvery == 0 && taken < last {
                let name = keepCheckpoints ? String(format: "checkpoint-%05d.safetensors", taken) : "checkpoint.safetensors"
                try parameters.write(to: directory.appendingPathComponent(name), halfPrecision: !fullPrecision,
                                     metadata: metadata.merging(["steps_taken": "\(taken)"]) { a, _ in a })
            }
            if entry.step % 50 == 0 {
                printError(String(format: "step %d: loss %.3f (contrastive %.3f, dense %.3f), lr %.2e, scale %.2f, %.0f s",
                                  entry.step, entry.loss, entry.contrastive, entry.dense, entry.learningRate, expf(entry.logitScale), entry.seconds))
            }
        }
        try parameters.write(to: directory.appendingPathComponent("model.safetensors"), halfPrecision: !fullPrecision, metadata: metadata)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try AtomicFile.write(try encoder.encode(log), to: directory.appendingPathComponent("log.json"))
        try PretrainingCurve(log: log).write(to: directory.appendingPathComponent("loss-curve.svg").path)
        try? FileManager.default.removeItem(at: directory.appendingPathComponent("checkpoint.safetensors"))
        try? FileManager.default.removeItem(at: directory.appendingPathComponent("checkpoint.json"))
        print(String(format: "%d steps of %d images in %.1f min (%.1f images/s); final loss %.3f; wrote %@",
                     log.entries.count, batch, log.totalSeconds / 60, log.imagesPerSecond, log.entries.last?.loss ?? .nan, out))
    }
}
