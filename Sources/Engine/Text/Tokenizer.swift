// open_clip's SimpleTokenizer: clean, split by its regex, byte-level BPE over the 49152-merge
// vocabulary (shipped as a package resource, MIT, from OpenAI's CLIP), start and end tokens.
import Foundation

public final class Tokenizer: @unchecked Sendable {
    public let startOfText: Int
    public let endOfText: Int
    public let vocabularySize: Int
    private let encoder: [String: Int]
    private let ranks: [Pair: Int]
    private let byteEncoder: [Character]
    /// Id -> vocabulary entry ("bottle</w>"), for showing what a token or a learned vector's neighbour is.
    private let vocabulary: [String]
    private var cache: [String: [Int]] = [:]
    private let lock = NSLock()

    struct Pair: Hashable { var first: String; var second: String }

    static let specialTokens = ["<start_of_text>", "<end_of_text>"]

    /// The tokenizer over the vocabulary shipped with the engine.
    public static let shared: Tokenizer = {
        do {
            guard let url = Bundle.module.url(forResource: "bpe_simple_vocab_16e6.txt", withExtension: "gz") else {
                throw EngineError.unreadable("bpe_simple_vocab_16e6.txt.gz", "missing from the Engine's resources")
            }
            return try Tokenizer(vocabulary: url)
        } catch {
            fatalError("the shipped BPE vocabulary is unreadable: \(error)")
        }
    }()

    public init(vocabulary url: URL) throws {
        guard let compressed = try? Data(contentsOf: url) else { throw EngineError.unreadable(url.path, "no such file") }
        let text = String(decoding: try Gzip.decompress(compressed, name: url.path), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // As open_clip: merges are lines 1 ..< 49152 - 256 - 2 + 1 (line 0 is a version header).
        guard lines.count > 48894 else { throw EngineError.corrupt(url.path, "only \(lines.count) lines: not the CLIP BPE vocabulary") }
        let merges = lines[1..<(49152 - 256 - 2 + 1)].map { line -> Pair in
            let parts = line.split(separator: " ")
            return Pair(first: String(parts[0]), second: String(parts.count > 1 ? parts[1] : ""))
        }
        let (table, order) = Tokenizer.bytesToUnicode()
        byteEncoder = table
        // The first 512 entries follow bytes_to_unicode's insertion order, not byte order.
        var vocabulary = order.map { String(table[$0]) }
        vocabulary += order.map { String(table[$0]) + "</w>" }
        vocabulary += merges.map { $0.first + $0.second }
        vocabulary += Tokenizer.specialTokens
        var encoder: [String: Int] = [:]
        for (i, token) in vocabulary.enumerated() { encoder[token] = i }
        self.encoder = encoder
        self.vocabulary = vocabulary
        var ranks: [Pair: Int] = [:]
        for (i, pair) in merges.enumerated() where ranks[pair] == nil { ranks[pair] = i }
        self.ranks = ranks
        startOfText = encoder["<start_of_text>"]!
        endOfText = encoder["<end_of_text>"]!
        vocabularySize = vocabulary.count
    }

    /// GPT-2's reversible map from bytes to printable characters, and the order its dict lists the bytes in.
    static func bytesToUnicode() -> (table: [Character], order: [Int]) {
        var bs = Array(33...126) + Array(161...172) + Array(174...255)
        var cs = bs
        var n = 0
        for b in 0..<256 where !bs.contains(b) {
            bs.append(b); cs.append(256 + n); n += 1
        }
        var table = [Character](repeating: " ", count: 256)
        for (b, c) in zip(bs, cs) { table[b] = Character(Unicode.Scalar(UInt32(c))!) }
        return (table, bs)
    }

    /// A token as text: its bytes decoded, "</w>" (the end of a word) shown as a trailing space, special tokens by name.
    public func text(of id: Int) -> String {
        guard vocabulary.indices.contains(id) else { return "?" }
        var entry = vocabulary[id]
        if Tokenizer.specialTokens.contains(entry) { return entry }
        let wordEnd = entry.hasSuffix("</w>")
        if wordEnd { entry.removeLast(4) }
        var bytes: [UInt8] = []
        for character in entry {
            if let b = byteEncoder.firstIndex(of: character) { bytes.append(UInt8(b)) }
        }
        return String(decoding: bytes, as: UTF8.self) + (wordEnd ? " " : "")
    }

    /// Token ids without start and end tokens.
    public func encode(_ text: String) -> [Int] {
        let cleaned = TextCleaner.clean(text)
        var ids: [Int] = []
        for piece in Tokenizer.split(cleaned) {
            if let special = encoder[piece], Tokenizer.specialTokens.contains(piece) { ids.append(special); continue }
            let mapped = String(piece.utf8.map { byteEncoder[Int($0)] })
            ids += bpe(mapped)
        }
        return ids
    }

    /// [start] + encode(text) + [end], truncated to `contextLength` with the end token kept last.
    /// Unlike open_clip's tensor, no zero padding: the text tower runs each prompt only to its end.
    public func tokenize(_ text: String, contextLength: Int = 77) -> [Int] {
        var tokens = [startOfText] + encode(text) + [endOfText]
        if tokens.count > contextLength {
            tokens = Array(tokens.prefix(contextLength))
            tokens[contextLength - 1] = endOfText
        }
        return tokens
    }

    /// open_clip's pattern: special tokens | 's|'t|'re|'ve|'m|'ll|'d | letters+ | one digit | other non-space+.
    static func split(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var pieces: [String] = []
        var i = 0
        func isLetter(_ s: Unicode.Scalar) -> Bool {
            switch s.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
            default: return false
            }
        }
        func isNumber(_ s: Unicode.Scalar) -> Bool {
            switch s.properties.generalCategory {
            case .decimalNumber, .letterNumber, .otherNumber: return true
            default: return false
            }
        }
        func matches(_ literal: String, at position: Int) -> Bool {
            let target = Array(literal.unicodeScalars)
            guard position + target.count <= scalars.count else { return false }
            for (k, t) in target.enumerated() where String(scalars[position + k]).lowercased() != String(t) { return false }
            return true
        }
        outer: while i < scalars.count {
            for special in specialTokens where matches(special, at: i) {
                pieces.append(special); i += special.unicodeScalars.count; continue outer
            }
            if scalars[i] == "'" {
                for contraction in ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"] where matches(contraction, at: i) {
                    pieces.append(String(String.UnicodeScalarView(scalars[i..<(i + contraction.count)])))
                    i += contraction.count
                    continue outer
                }
            }
            let start = i
            if isLetter(scalars[i]) {
                while i < scalars.count, isLetter(scalars[i]) { i += 1 }
            } else if isNumber(scalars[i]) {
                i += 1
            } else if TextCleaner.isPythonSpace(scalars[i]) {
                i += 1
                continue
            } else {
                while i < scalars.count, !isLetter(scalars[i]), !isNumber(scalars[i]), !TextCleaner.isPythonSpace(scalars[i]) { i += 1 }
            }
            pieces.append(String(String.UnicodeScalarView(scalars[start..<i])))
        }
        return pieces
    }

    /// Byte-pair merges, lowest rank first, as open_clip's `bpe`; the last symbol carries "</w>".
    func bpe(_ token: String) -> [Int] {
        lock.lock()
        if let hit = cache[token] { lock.unlock(); return hit }
        lock.unlock()
        var word = token.map { String($0) }
        word[word.count - 1] += "</w>"
        while word.count > 1 {
            var best: (rank: Int, index: Int)?
            for k in 0..<(word.count - 1) {
                if let rank = ranks[Pair(first: word[k], second: word[k + 1])], best == nil || rank < best!.rank {
                    best = (rank, k)
                }
            }
            guard let (_, at) = best else { break }
            let first = word[at], second = word[at + 1]
            var merged: [String] = []
            var k = 0
            while k < word.count {
                if k < word.count - 1, word[k] == first, word[k + 1] == second {
                    merged.append(first + second); k += 2
                } else {
                    merged.append(word[k]); k += 1
                }
            }
            word = merged
        }
        let ids = word.map { encoder[$0]! }
        lock.lock(); cache[token] = ids; lock.unlock()
        return ids
    }
}
