// What the restricted unpickler builds: plain values and containers, tensors, and inert records of TorchScript's
// classes. Nothing in it can run code: a pickle that names anything else is refused before it is built.

public indirect enum PickleValue: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case list([PickleValue])
    case tuple([PickleValue])
    /// Keys in the order the pickle set them (an OrderedDict's order, a state dict's).
    case dict([(key: PickleValue, value: PickleValue)])
    case tensor(TorchTensor)
    /// A storage a tensor views: its type (FloatStorage...) and its key among the checkpoint's storages.
    case storage(type: String, key: String)
    /// A class or function the pickle named and the allow-list admits (its module and name).
    case global(String)
    /// An object of a TorchScript class (`__torch__.…`): only its attributes, from the pickle's BUILD.
    case object(type: String, attributes: [(key: PickleValue, value: PickleValue)])

    var string: String? { if case .string(let s) = self { s } else { nil } }

    var items: [PickleValue]? {
        switch self {
        case .list(let v), .tuple(let v): v
        default: nil
        }
    }

    var int: Int? {
        switch self {
        case .int(let v): v
        case .bool(let b): b ? 1 : 0
        default: nil
        }
    }
}

/// A tensor as a checkpoint holds it: a view (offset, shape, strides in elements) of one storage.
public struct TorchTensor: Sendable {
    public var storageType: String
    public var storageKey: String
    public var offset: Int
    public var shape: [Int]
    public var strides: [Int]
}
