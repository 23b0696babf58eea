@testable import Engine
import Foundation
import Testing

/// PyTorch checkpoints saved by torch itself (scripts/fixtures/make_torch_checkpoint_fixtures.py), read without Python.
struct TorchCheckpointTests {
    static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/torch")
    static let clip = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/clip")

    struct Expected: Decodable { var shape: [Int]; var values: [Float] }
    struct Manifest: Decodable {
        struct File: Decodable { var expected: [String: Expected]?; var skipped: [String]? }
        var torch: String
        var files: [String: File]
    }
    static func manifest() throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: fixtures.appendingPathComponent("manifest.json")))
    }

    func checkpoint(_ name: String) throws -> TorchCheckpoint { try TorchCheckpoint.read(Self.fixtures.appendingPathComponent(name).path) }

    /// Every tensor of the checkpoint equals the safetensors it was saved from, bit for bit after `convert`.
    func expectEqual(_ checkpoint: TorchCheckpoint, to source: String, convert: (Float) -> Float = { $0 }) throws {
        let original = try Safetensors(path: Self.clip.appendingPathComponent(source).path)
        #expect(Set(checkpoint.tensors.map(\.name)) == Set(original.entries.keys))
        for tensor in checkpoint.tensors {
            #expect(tensor.shape == original.entries[tensor.name]?.shape, "\(tensor.name)")
            #expect(tensor.values == (try original.floats(tensor.name)).map(convert), "\(tensor.name)")
        }
    }

    @Test func theZipFormatInBFloat16() throws {
        let read = try checkpoint("tiny_gelu_bf16_zip.pt")
        #expect(read.format == "zip" && !read.isTorchScript)
        #expect(read.tensors.allSatisfy { $0.storageType == "BFloat16Storage" })
        try expectEqual(read, to: "tiny_gelu_bf16/model.safetensors")
    }

    @Test func theLegacyFormatInFloat32() throws {
        let read = try checkpoint("tiny_quickgelu_rect_f32_legacy.pt")
        #expect(read.format == "legacy")
        try expectEqual(read, to: "tiny_quickgelu_rect_f32/model.safetensors")
    }

    @Test func aTrainingCheckpointGivesItsStateDictWithoutDataParallelPrefixes() throws {
        let read = try checkpoint("tiny_quickgelu_rect_f16_checkpoint.pt")
        #expect(read.tensors.allSatisfy { $0.storageType == "HalfStorage" && !$0.name.hasPrefix("module.") })
        try expectEqual(read, to: "tiny_quickgelu_rect_f32/model.safetensors") { Float(Float16($0)) }
    }

    @Test func viewsAreGatheredThroughTheirStrides() throws {
        let read = try checkpoint("views.pt")
        let expected = try #require(try Self.manifest().files["views.pt"]?.expected)
        #expect(Set(read.tensors.map(\.name)) == Set(expected.keys))
        for tensor in read.tensors {
            #expect(tensor.shape == expected[tensor.name]?.shape && tensor.values == expected[tensor.name]?.values, "\(tensor.name)")
        }
        #expect(read.skipped == ["ints"], "an integer tensor is no weight")
    }

    @Test func aTorchScriptArchiveGivesItsParametersByTheirAttributeNames() throws {
        let read = try checkpoint("scripted.pt")
        #expect(read.isTorchScript && read.format == "TorchScript")
        let expected = try #require(try Self.manifest().files["scripted.pt"]?.expected)
        #expect(Set(read.tensors.map(\.name)) == Set(expected.keys), "\(read.tensors.map(\.name))")
        for tensor in read.tensors {
            #expect(tensor.shape == expected[tensor.name]?.shape && tensor.values == expected[tensor.name]?.values, "\(tensor.name)")
        }
    }

    @Test func aPickleThatNamesCodeIsRefusedAndNothingRuns() throws {
        let witness = "/tmp/report-weights-import-pwned"
        try? FileManager.default.removeItem(atPath: witness)
        for name in ["malicious_zip.pt", "malicious_legacy.pt"] {
            #expect {
                _ = try checkpoint(name)
            } throws: { error in
                let text = String(describing: error)
                return text.contains(name) && text.contains("it names posix.system") && text.contains("runs it")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: witness))
    }

    @Test func craftedPicklesAreRefusedWithAReason() throws {
        func unpickle(_ bytes: [UInt8]) throws -> PickleValue {
            var reader = RestrictedUnpickler(bytes: bytes, path: "crafted.pkl")
            return try reader.load()
        }
        // builtins.eval by GLOBAL; subprocess by STACK_GLOBAL; INST; a truncated stream; a memo reference to nothing.
        let eval: [UInt8] = [0x80, 0x02] + Array("cbuiltins\neval\n".utf8) + [0x58, 4, 0, 0, 0] + Array("1+1)".utf8) + [0x85, 0x52, 0x2E]
        let stack: [UInt8] = [0x80, 0x04, 0x8C, 10] + Array("subprocess".utf8) + [0x8C, 5] + Array("Popen".utf8) + [0x93, 0x2E]
        let inst: [UInt8] = [0x28] + Array("ios\nsystem\n".utf8) + [0x2E]
        let cases: [([UInt8], String)] = [(eval, "builtins.eval"), (stack, "subprocess.Popen"), (inst, "os.system"),
                                          ([0x80, 0x02, 0x5D], "ends before its STOP"), ([0x80, 0x02, 0x68, 7, 0x2E], "memo reference to nothing")]
        for (bytes, reason) in cases {
            #expect { _ = try unpickle(bytes) } throws: { String(describing: $0).contains(reason) }
        }
        // Plain containers and numbers come through.
        let plain: [UInt8] = [0x80, 0x02, 0x7D, 0x28, 0x58, 1, 0, 0, 0, 0x61, 0x4B, 7, 0x58, 1, 0, 0, 0, 0x62, 0x47] + [0x3F, 0xF8, 0, 0, 0, 0, 0, 0] + [0x75, 0x2E]
        guard case .dict(let pairs) = try unpickle(plain) else { Issue.record("not a dict"); return }
        #expect(pairs.count == 2 && pairs[0].key.string == "a" && pairs[0].value.int == 7)
        if case .float(let x) = pairs[1].value { #expect(x == 1.5) } else { Issue.record("not a float") }
    }
}
