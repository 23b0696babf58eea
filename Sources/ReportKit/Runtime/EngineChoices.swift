// Every `**[choice]**` marker in the engine's sources, collected when the package is built (EngineFingerprint),
// so the report's list of choices is the code's own.
public enum EngineChoices {
    public struct Choice: Sendable, Equatable {
        /// Path from the package root, e.g. "Sources/Engine/Detectors/DeviationLoss.swift".
        public var file: String
        public var line: Int
        public var text: String
    }

    public static let all: [Choice] = engineChoiceMarkers.map { Choice(file: $0.file, line: $0.line, text: $0.text) }
}
