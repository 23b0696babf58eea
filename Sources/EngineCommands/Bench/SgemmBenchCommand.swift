import ArgumentParser
import Engine
import Foundation
import ReportKit

struct SgemmBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sgemm",
        abstract: "The machine's matrix-multiply rate, and a ViT MLP block with the engine's element-wise loops.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Square matrix sizes to time.")
    var sizes: [Int] = [512, 1024, 2048]

    func run() throws {
        if let threads = options.threads { BLAS.threads = threads; Parallel.cores = threads }
        var results = sizes.map { MatmulBenchmark.sgemm(size: $0, repeats: options.repeats) }
        results.append(MatmulBenchmark.mlpBlock(repeats: options.repeats))
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        if options.json {
            struct Output: Codable { var build: String; var threads: Int; var openblas: String; var results: [MatmulBenchmark.Measurement] }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(Output(build: build, threads: BLAS.threads, openblas: BLAS.configuration, results: results)), as: UTF8.self))
            return
        }
        print("build: \(build), threads: \(BLAS.threads), \(BLAS.configuration)")
        for r in results {
            print(r.name.padding(toLength: 34, withPad: " ", startingAt: 0) + String(format: "%9.2f ms  %7.1f GFLOP/s", r.seconds * 1000, r.gflopPerSecond))
        }
    }
}
