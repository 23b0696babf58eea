import Engine
import Foundation
import ReportKit

/// `--save-maps`: every test image's evaluation map as float32 .npy, named by the image's path
/// under the data root (`bottle/test/scratch/003.png` -> `bottle/test/scratch/003.npy`), and
/// scores.json with each image's score, label and map file, so the metrics can be recomputed elsewhere.
enum MapExport {
    static func write(_ results: [ExperimentResult], to base: URL) throws {
        var entries: [[String: Any]] = []
        for result in results {
            let size = result.configuration.evaluationSize
            for image in result.images {
                let name = (image.path as NSString).deletingPathExtension + ".npy"
                // A name from the data may not lead outside the maps' folder.
                let url = URL(fileURLWithPath: try ContainedPath.resolve(name, inside: base.path, what: "--save-maps: the map of \(image.path)"))
                do {
                    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try NumPyFile.write(result.evaluationMap(image), shape: [size, size], to: url)
                } catch let error as EngineError { throw error } catch { throw EngineError.invalidInput(WriteFailure.describe(error, path: url.path)) }
                var entry: [String: Any] = ["class": result.configuration.className, "path": image.path, "map": name,
                                            "score": Double(image.score), "label": image.isDefective ? 1 : 0, "defect": image.defect]
                if let mask = image.mask { entry["mask"] = mask }
                entries.append(entry)
            }
        }
        let object: [String: Any] = ["dataRoot": results.first?.dataRoot ?? "", "evaluationSize": results.first?.configuration.evaluationSize ?? 0,
                                     "images": entries]
        let scores = base.appendingPathComponent("scores.json")
        do {
            try AtomicFile.write(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]), to: scores)
        } catch { throw EngineError.invalidInput(WriteFailure.describe(error, path: scores.path)) }
    }
}
