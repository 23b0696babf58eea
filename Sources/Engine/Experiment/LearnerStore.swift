// Trained prompt learners on disk, by what decides them (their inputs' and settings' identity) and the code
// that trained them: a learner that another experiment, chapter or build already trained is not trained again
// (DevPrompt's two inference maps in two chapters, PromptAD and DevPrompt's shared classification learner).
import Foundation

public struct LearnerStore: Sendable {
    public let directory: URL
    let code: String

    public init(directory: URL, code: String) { self.directory = directory; self.code = code }

    /// What a trained learner is: its learnable vectors and the loss before each epoch's update.
    struct Saved: Codable, Equatable {
        var context: [[Float]]
        var anomalyTokens: [[Float]]
        var losses: [Float]
    }

    func url(_ identity: String) -> URL {
        directory.appendingPathComponent(FileDigests.sha256(Data((code + "\n" + identity).utf8)) + ".json")
    }

    /// A damaged or unreadable entry counts as absent (the learner trains again and replaces it).
    func load(_ identity: String) -> Saved? {
        guard let data = try? Data(contentsOf: url(identity)) else { return nil }
        return try? JSONDecoder().decode(Saved.self, from: data)
    }

    func store(_ saved: Saved, identity: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try AtomicFile.write(try JSONEncoder().encode(saved), to: url(identity))
    }
}
