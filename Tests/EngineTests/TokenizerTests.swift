import Engine
import Foundation
import Testing

/// Token ids compared with open_clip's SimpleTokenizer on awkward strings.
@Suite struct TokenizerTests {
    struct Case: Decodable { var text: String; var tokens77: [Int]; var tokens8: [Int] }

    static let cases: [Case] = {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/clip/tokenizer.json")
        return try! JSONDecoder().decode([Case].self, from: Data(contentsOf: url))
    }()

    func padded(_ tokens: [Int], _ length: Int) -> [Int] { tokens + [Int](repeating: 0, count: length - tokens.count) }

    @Test(arguments: 0..<cases.count)
    func idsAreOpenCLIPs(_ index: Int) {
        let c = Self.cases[index]
        #expect(padded(Tokenizer.shared.tokenize(c.text, contextLength: 77), 77) == c.tokens77, "\(c.text)")
        #expect(padded(Tokenizer.shared.tokenize(c.text, contextLength: 8), 8) == c.tokens8, "\(c.text) (context 8)")
    }

    @Test func specialTokensAndVocabulary() {
        #expect(Tokenizer.shared.vocabularySize == 49408)
        #expect(Tokenizer.shared.startOfText == 49406 && Tokenizer.shared.endOfText == 49407)
        let long = Tokenizer.shared.tokenize(String(repeating: "defect ", count: 200), contextLength: 77)
        #expect(long.count == 77 && long.last == 49407 && long.first == 49406)
    }
}
