// The engine's commands, apart from the report generator's: run the detectors, embed, check and
// synthesise data, inspect weights, pretrain and compare models, measure speed. The `report` executable puts both
// behind one command line.
import ArgumentParser

public enum EngineCommands {
    public static let all: [ParsableCommand.Type] = [
        EmbedCommand.self, EvalCommand.self, DetectCommand.self, PretrainCommand.self, CompareCommand.self, DataCommand.self, WeightsCommand.self, BenchCommand.self,
    ]
}
