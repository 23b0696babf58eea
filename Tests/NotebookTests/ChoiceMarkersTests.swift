import Notebook
import Testing

@Suite struct ChoiceMarkersTests {
    @Test func aMarkerTakesItsSentenceAcrossCommentLines() {
        let source = """
        struct S {
            /// The scale. **[choice]** the raw parameter, not exp of it.
            var scale: Float
            // **[choice]** one prompt set,
            // not three,
            // as PromptAD's code.
            // not part of it.
            let x = 1
            /// **[choice]** ends at code
            let y = 2
        }
        """
        let markers = ChoiceMarkers.scan(source, file: "Engine/S.swift")
        #expect(markers == [
            .init(file: "Engine/S.swift", line: 2, text: "the raw parameter, not exp of it."),
            .init(file: "Engine/S.swift", line: 4, text: "one prompt set, not three, as PromptAD's code."),
            .init(file: "Engine/S.swift", line: 9, text: "ends at code"),
        ])
    }

    @Test func theLiteralEscapesQuotesAndBackslashes() {
        let literal = ChoiceMarkers.swiftLiteral([.init(file: "a.swift", line: 3, text: #"say "x" \ y"#)])
        #expect(literal.contains(#"(file: "a.swift", line: 3, text: "say \"x\" \\ y"),"#))
    }
}
