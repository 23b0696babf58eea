// A pickle reader for PyTorch checkpoints that cannot run code. Python's unpickler calls whatever a pickle names
// (a checkpoint that names os.system runs it); this one admits only the few names torch.save and TorchScript use for
// tensors, storages and plain containers, builds inert records of TorchScript's own classes, and refuses anything
// else by name before it is built.
import Foundation

public struct RestrictedUnpickler {
    /// Callables a checkpoint may name, as "module.name": what each builds is done here, never looked up in Python.
    static let admitted: Set<String> = [
        "collections.OrderedDict", "builtins.set", "builtins.frozenset", "_codecs.encode", "torch.Size", "torch.device",
        "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
        "torch._utils._rebuild_parameter_with_state", "torch._tensor._rebuild_from_type_v2",
        "torch.Tensor", "torch.nn.parameter.Parameter",
        "torch.jit._pickle.build_intlist", "torch.jit._pickle.build_doublelist", "torch.jit._pickle.build_boollist",
        "torch.jit._pickle.build_tensorlist", "torch.jit._pickle.build_tensor_from_id", "torch.jit._pickle.restore_type_tag",
    ]
    /// Storage classes (`torch.FloatStorage`...), named in each tensor's persistent id.
    static let storageTypes: Set<String> = ["FloatStorage", "HalfStorage", "BFloat16Storage", "DoubleStorage", "LongStorage",
                                            "IntStorage", "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage"]

    /// A value under construction: containers are references, so a memoised dict filled later is the same dict.
    final class Node {
        var value: PickleValue
        var list: [Node] = []
        var pairs: [(Node, Node)] = []
        var isContainer: Bool
        init(_ value: PickleValue, container: Bool = false) { self.value = value; isContainer = container }
    }

    let bytes: [UInt8]
    let path: String
    var position: Int

    public init(bytes: [UInt8], path: String, position: Int = 0) {
        self.bytes = bytes; self.path = path; self.position = position
    }

    func refuse(_ reason: String) -> EngineError { .corrupt(path, "not a checkpoint this tool can read safely: \(reason)") }

    mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw refuse("the pickle ends before its STOP") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, n <= bytes.count - position else { throw refuse("a pickle field runs past the end of the data") }
        defer { position += n }
        return bytes[position..<(position + n)]
    }

    mutating func unsigned(_ n: Int) throws -> Int {
        let slice = try take(n)
        var v: UInt64 = 0
        for (i, b) in slice.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        guard v <= UInt64(Int.max) else { throw refuse("a length of \(v) bytes") }
        return Int(v)
    }

    mutating func line() throws -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else { throw refuse("a text field without its line end") }
        defer { position = end + 1 }
        return String(decoding: bytes[position..<end], as: UTF8.self)
    }

    /// Reads one pickle (up to its STOP) from `position`, leaving `position` after it.
    public mutating func load() throws -> PickleValue {
        var stack: [Node] = [], marks: [Int] = []
        var memo: [Int: Node] = [:]
        func pop() throws -> Node { guard let n = stack.popLast() else { throw refuse("the pickle pops an empty stack") }; return n }
        func popMark() throws -> [Node] {
            guard let mark = marks.popLast(), mark <= stack.count else { throw refuse("the pickle has no MARK to close") }
            defer { stack.removeSubrange(mark...) }
            return Array(stack[mark...])
        }
        func top() throws -> Node { guard let n = stack.last else { throw refuse("the pickle reads an empty stack") }; return n }
        func container(_ kind: PickleValue) -> Node { Node(kind, container: true) }
        while true {
            let opcode = try byte()
            switch opcode {
            case 0x80: _ = try byte()                                   // PROTO
            case 0x95: _ = try take(8)                                  // FRAME
            case 0x2E:                                                  // STOP
                return try value(of: try pop(), depth: 0)
            case 0x28: marks.append(stack.count)                       // MARK
            case 0x30: _ = try pop()                                    // POP
            case 0x31: _ = try popMark()                                // POP_MARK
            case 0x32: stack.append(try top())                          // DUP
            case 0x4E: stack.append(Node(.none))                        // NONE
            case 0x88: stack.append(Node(.bool(true)))                  // NEWTRUE
            case 0x89: stack.append(Node(.bool(false)))                 // NEWFALSE
            case 0x4A: stack.append(Node(.int(Int(Int32(truncatingIfNeeded: try unsigned(4))))))   // BININT
            case 0x4B: stack.append(Node(.int(try unsigned(1))))        // BININT1
            case 0x4D: stack.append(Node(.int(try unsigned(2))))        // BININT2
            case 0x8A, 0x8B:                                            // LONG1, LONG4
                let n = try unsigned(opcode == 0x8A ? 1 : 4)
                guard n <= 8 else { throw refuse("an integer of \(n) bytes") }
                let slice = try take(n)
                var v: UInt64 = 0
                for (i, b) in slice.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
                if n > 0, n < 8, slice.last! & 0x80 != 0 { v |= ~UInt64(0) << (8 * UInt64(n)) }   // two's complement
                stack.append(Node(.int(Int(Int64(bitPattern: v)))))
            case 0x49:                                                  // INT (text; "01"/"00" are booleans)
                let text = try line()
                if text == "01" || text == "00" { stack.append(Node(.bool(text == "01"))) }
                else { guard let v = Int(text) else { throw refuse("INT \(text)") }; stack.append(Node(.int(v))) }
            case 0x47:                                                  // BINFLOAT, big-endian
                let slice = try take(8)
                stack.append(Node(.float(Double(bitPattern: slice.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }))))
            case 0x58, 0x8C, 0x8D, 0x54, 0x55:                          // BINUNICODE, SHORT_BINUNICODE, BINUNICODE8, BINSTRING, SHORT_BINSTRING
                let n = try unsigned(opcode == 0x8C || opcode == 0x55 ? 1 : opcode == 0x8D ? 8 : 4)
                stack.append(Node(.string(String(decoding: try take(n), as: UTF8.self))))
            case 0x42, 0x43, 0x8E:                                      // BINBYTES, SHORT_BINBYTES, BINBYTES8
                let n = try unsigned(opcode == 0x43 ? 1 : opcode == 0x8E ? 8 : 4)
                stack.append(Node(.bytes(Array(try take(n)))))
            case 0x5D: stack.append(container(.list([])))               // EMPTY_LIST
            case 0x6C: let n = container(.list([])); n.list = try popMark(); stack.append(n)      // LIST
            case 0x61:                                                  // APPEND
                let item = try pop(); let list = try top()
                guard list.isContainer, case .list = list.value else { throw refuse("APPEND to something that is not a list") }
                list.list.append(item)
            case 0x65:                                                  // APPENDS
                let items = try popMark(); let list = try top()
                guard list.isContainer, case .list = list.value else { throw refuse("APPENDS to something that is not a list") }
                list.list += items
            case 0x29: stack.append(Node(.tuple([])))                   // EMPTY_TUPLE
            case 0x74: let n = Node(.tuple([]), container: true); n.list = try popMark(); stack.append(n)   // TUPLE
            case 0x85, 0x86, 0x87:                                      // TUPLE1..3
                let count = Int(opcode - 0x84)
                guard stack.count >= count else { throw refuse("a tuple of more items than the stack holds") }
                let n = Node(.tuple([]), container: true); n.list = Array(stack.suffix(count)); stack.removeLast(count); stack.append(n)
            case 0x7D: stack.append(container(.dict([])))               // EMPTY_DICT
            case 0x64:                                                  // DICT
                let items = try popMark()
                guard items.count % 2 == 0 else { throw refuse("a dict of an odd number of items") }
                let n = container(.dict([]))
                n.pairs = stride(from: 0, to: items.count, by: 2).map { (items[$0], items[$0 + 1]) }
                stack.append(n)
            case 0x73:                                                  // SETITEM
                let v = try pop(), k = try pop(), d = try top()
                guard d.isContainer, case .dict = d.value else { throw refuse("SETITEM on something that is not a dict") }
                d.pairs.append((k, v))
            case 0x75:                                                  // SETITEMS
                let items = try popMark(); let d = try top()
                guard d.isContainer, case .dict = d.value, items.count % 2 == 0 else { throw refuse("SETITEMS on something that is not a dict") }
                d.pairs += stride(from: 0, to: items.count, by: 2).map { (items[$0], items[$0 + 1]) }
            case 0x8F: stack.append(container(.list([])))               // EMPTY_SET (kept as a list)
            case 0x90:                                                  // ADDITEMS
                let items = try popMark(); let set = try top()
                guard set.isContainer, case .list = set.value else { throw refuse("ADDITEMS on something that is not a set") }
                set.list += items
            case 0x91: let n = container(.list([])); n.list = try popMark(); stack.append(n)      // FROZENSET
            case 0x63:                                                  // GLOBAL module\nname\n
                let module = try line(), name = try line()
                stack.append(Node(try global(module, name)))
            case 0x93:                                                  // STACK_GLOBAL
                let name = try pop().value.string, module = try pop().value.string
                guard let module, let name else { throw refuse("STACK_GLOBAL without its names") }
                stack.append(Node(try global(module, name)))
            case 0x52:                                                  // REDUCE
                let args = try pop(), callable = try pop()
                stack.append(try reduce(callable, args))
            case 0x81:                                                  // NEWOBJ
                let args = try pop(), cls = try pop()
                stack.append(try reduce(cls, args))
            case 0x92:                                                  // NEWOBJ_EX
                _ = try pop(); let args = try pop(), cls = try pop()
                stack.append(try reduce(cls, args))
            case 0x62:                                                  // BUILD
                let state = try pop(), object = try top()
                if case .object = object.value, object.isContainer {
                    // A TorchScript module's attributes: a dict, or (dict, slots).
                    let attributes = state.pairs.isEmpty ? (state.list.first?.pairs ?? []) : state.pairs
                    object.pairs += attributes
                }
                // A dict's or a tensor's state (an OrderedDict's _metadata, a tensor's hooks) holds no tensor data.
            case 0x51:                                                  // BINPERSID
                stack.append(try persistent(try pop()))
            case 0x50:                                                  // PERSID (text)
                throw refuse("a text persistent id (\(try line())), which torch.save never writes")
            case 0x71: memo[try unsigned(1)] = try top()                // BINPUT
            case 0x72: memo[try unsigned(4)] = try top()                // LONG_BINPUT
            case 0x94: memo[memo.count] = try top()                     // MEMOIZE
            case 0x70: guard let k = Int(try line()) else { throw refuse("PUT") }; memo[k] = try top()   // PUT
            case 0x68, 0x6A, 0x67:                                      // BINGET, LONG_BINGET, GET
                let k = opcode == 0x67 ? (Int(try line()) ?? -1) : try unsigned(opcode == 0x68 ? 1 : 4)
                guard let n = memo[k] else { throw refuse("a memo reference to nothing (\(k))") }
                stack.append(n)
            case 0x69:                                                  // INST module\nname\n
                let module = try line(), name = try line()
                throw refuse("an INST of \(module).\(name), which builds an arbitrary object")
            case 0x6F:                                                  // OBJ
                throw refuse("an OBJ opcode, which builds an arbitrary object")
            default:
                throw refuse(String(format: "opcode 0x%02x at byte %d", opcode, position - 1))
            }
        }
    }

    /// A name the pickle may use, or the refusal that names it.
    func global(_ module: String, _ name: String) throws -> PickleValue {
        let full = module + "." + name
        if module == "torch", Self.storageTypes.contains(name) { return .global(full) }
        if Self.admitted.contains(full) || module.hasPrefix("__torch__") { return .global(full) }
        throw refuse("it names \(full), which is neither a tensor nor a plain container (a pickle that names code runs it when Python loads it)")
    }

    /// What an admitted callable builds from its arguments, computed here.
    func reduce(_ callable: Node, _ args: Node) throws -> Node {
        guard case .global(let name) = callable.value else { throw refuse("REDUCE on something that is not a class or function") }
        let a = args.list
        func arg(_ i: Int) throws -> Node { guard i < a.count else { throw refuse("\(name) with too few arguments") }; return a[i] }
        func ints(_ node: Node) throws -> [Int] {
            try node.list.map { guard let v = $0.value.int else { throw refuse("\(name): a size or stride that is not an integer") }; return v }
        }
        switch name {
        case "collections.OrderedDict":
            let d = Node(.dict([]), container: true)
            if let items = a.first { d.pairs = items.list.compactMap { $0.list.count == 2 ? ($0.list[0], $0.list[1]) : nil } }
            return d
        case "builtins.set", "builtins.frozenset", "torch.Size", "torch.jit._pickle.build_intlist", "torch.jit._pickle.build_doublelist",
             "torch.jit._pickle.build_boollist", "torch.jit._pickle.build_tensorlist":
            let n = Node(.list([]), container: true); n.list = a.first?.list ?? []; return n
        case "torch.jit._pickle.restore_type_tag": return try arg(0)
        case "torch.device": return try arg(0)
        case "_codecs.encode":
            guard case .string(let s) = try arg(0).value else { throw refuse("_codecs.encode of something that is not text") }
            return Node(.bytes(s.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }))   // latin-1, as torch's py2 bytes
        case "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2":
            guard case .storage(let type, let key) = try arg(0).value, let offset = try arg(1).value.int else {
                throw refuse("\(name) without its storage and offset")
            }
            let shape = try ints(try arg(2)), strides = try ints(try arg(3))
            guard shape.count == strides.count, shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }), offset >= 0 else {
                throw refuse("a tensor of shape \(shape) and strides \(strides)")
            }
            return Node(.tensor(TorchTensor(storageType: type, storageKey: key, offset: offset, shape: shape, strides: strides)))
        case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state", "torch.nn.parameter.Parameter":
            return try arg(0)
        case "torch._tensor._rebuild_from_type_v2":
            // (function, type, its arguments, state): the function is admitted on its own.
            return try reduce(try arg(0), try arg(2))
        case _ where name.hasPrefix("__torch__"):
            return Node(.object(type: name, attributes: []), container: true)
        default:
            throw refuse("\(name) called with arguments")
        }
    }

    /// torch.save's persistent id of a storage: ('storage', torch.FloatStorage, key, location, numel[, view]).
    func persistent(_ id: Node) throws -> Node {
        let t = id.list
        guard t.count >= 5, t[0].value.string == "storage", case .global(let type) = t[1].value, let key = t[2].value.string ?? t[2].value.int.map(String.init) else {
            throw refuse("a persistent id that is not a storage")
        }
        return Node(.storage(type: String(type.dropFirst("torch.".count)), key: key))
    }

    /// The finished value; a pickle whose containers hold themselves is refused.
    func value(of node: Node, depth: Int) throws -> PickleValue {
        guard depth < 256 else { throw refuse("containers nested more than 256 deep (or holding themselves)") }
        guard node.isContainer else { return node.value }
        switch node.value {
        case .list: return .list(try node.list.map { try value(of: $0, depth: depth + 1) })
        case .tuple: return .tuple(try node.list.map { try value(of: $0, depth: depth + 1) })
        case .dict: return .dict(try node.pairs.map { (try value(of: $0.0, depth: depth + 1), try value(of: $0.1, depth: depth + 1)) })
        case .object(let type, _):
            return .object(type: type, attributes: try node.pairs.map { (try value(of: $0.0, depth: depth + 1), try value(of: $0.1, depth: depth + 1)) })
        default: return node.value
        }
    }
}
