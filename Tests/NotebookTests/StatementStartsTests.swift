import Notebook
import Testing

/// The lines a cell's statements start on: where the runner notes the line before running them.
@Suite struct StatementStartsTests {
    @Test func statementsInTheCellAndInControlBodiesButNotInsideExpressions() {
        let code = """
        let a = [1, 2].map {
            $0 * 2
        }
        for x in a {
            print(x)
            if x > 2 { throw E() }
        }
        let s = a.count +
            1
        let t = f(1,
                  2)
        let m = \"\"\"
        let notCode = 1
        \"\"\"
        } else {
        try g()
        """
        #expect(StatementStarts.lines(in: code) == [0, 3, 4, 5, 7, 9, 11, 15])
    }

    @Test func aSignatureContinuedOnTheNextLineIsOneStatement() {
        let code = """
        func point(_ x: Int = 1)
            throws -> Int {
            try f(x)
        }
        func g()
            async throws {}
        async let y = g()
        """
        #expect(StatementStarts.lines(in: code) == [0, 4, 6])
    }
}
