// What a cell calls to put a typed result in the page, in order with what it prints.
import Figures

/// Adds a table to the page.
public func show(_ table: Table) {
    CellRunner.current?.add(.table(table))
}

/// Draws a figure into the site (SVG for charts, PNG for rasters) and adds it to the page.
/// The cell's `//| label:` and `//| caption:` options apply unless given here.
public func show(_ drawing: Drawing, caption: String? = nil, label: String? = nil, format: FigureFormat = .svg) throws {
    guard let runner = CellRunner.current else { return }
    let path = try runner.writeFigure(drawing, format: format)
    runner.add(.figure(path: path, label: label, caption: caption))
}

/// Adds Markdown (rendered like the chapter's own text) to the page.
public func show(markdown: String) {
    CellRunner.current?.add(.markdown(markdown))
}
