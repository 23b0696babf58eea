// The PDF edition's whole document: preamble, title page (title, date, commit, engine, model, data), contents, lists of
// figures and tables, the chapters in reading order and the References chapter. LuaLaTeX typesets it (TeXTypesetter).
import Foundation
import Notebook

struct LaTeXDocument {
    var chapters: [Chapter]
    var results: [ChapterResult?]
    var bibliography: Bibliography
    var metadata: BuildMetadata
    /// The site being built: the figures' PDF twins are included from it.
    var site: URL

    static let title = SiteLayout.siteTitle
    static let subtitle = "Deviation-Based Prompt Learning for One-Normal Shot Image Anomaly Detection, reproduced"

    func latex() -> String {
        let references = LaTeXReferences(bibliography: bibliography)
        let names = chapters.map(\.name)
        var body = ""
        for (chapter, result) in zip(chapters, results) {
            body += LaTeXChapter(chapter: chapter, result: result, references: references, chapterNames: names, site: site).latex() + "\n"
        }
        return Self.preamble + titlePage() + "\\tableofcontents\n\\listoffigures\n\\listoftables\n\\clearpage\n\\pagenumbering{arabic}\n"
            + body + references.referenceChapter() + "\\end{document}\n"
    }

    func titlePage() -> String {
        let date = ISO8601DateFormatter().string(from: metadata.date)
        let e = LaTeXText.escape
        let model = metadata.settings.weights.map { "\(e($0)) (\(e(metadata.inputs.model)))" } ?? "the embedded default (\(e(metadata.inputs.model)))"
        let data = metadata.settings.dataRoot.map { "\(e($0)) (\(e(metadata.inputs.data)))" } ?? "the embedded synthetic benchmark"
        let rows = [("Built", e(date)), ("Commit", "\\texttt{\(e(metadata.commit))}"),
                    ("Engine", "\(e(metadata.engineVersion)), sources \\texttt{\(e(metadata.inputs.engine))}"),
                    ("Model", model), ("Data", data)]
        return """
        \\hypersetup{pdftitle={\(e(Self.title))},pdfsubject={\(e(Self.subtitle))}}
        \\begin{titlepage}
        \\centering
        \\vspace*{0.18\\textheight}
        {\\Huge\\bfseries \(e(Self.title))\\par}
        \\vspace{1.2em}
        {\\Large \(e(Self.subtitle))\\par}
        \\vspace{2em}
        {\\large A literate report: every number and figure in it was computed when it was built.\\par}
        \\vfill
        \\begin{tabular}{@{}>{\\bfseries}l>{\\raggedright\\arraybackslash}p{0.72\\linewidth}@{}}
        \(rows.map { "\($0.0) & \($0.1) \\\\" }.joined(separator: "\n"))
        \\end{tabular}
        \\par\\vspace{1.5em}
        {\\small Measured numbers link to the records of the runs they came from, in the site beside this file (\\texttt{runs/}).\\par}
        \\end{titlepage}

        """
    }

    /// Packages from Debian's texlive-luatex, -latex-recommended, -latex-extra and -plain-generic; fonts from fonts-dejavu-core and -extra.
    static let preamble = #"""
    \documentclass[11pt,a4paper,oneside]{report}
    \usepackage[a4paper,margin=25mm,headheight=14pt]{geometry}
    \usepackage{amsmath}
    \usepackage{unicode-math}
    \setmainfont{DejaVuSerif}[Extension=.ttf,UprightFont=*,BoldFont=*-Bold,ItalicFont=*-Italic,BoldItalicFont=*-BoldItalic,Scale=0.9]
    \setsansfont{DejaVuSans}[Extension=.ttf,UprightFont=*,BoldFont=*-Bold,ItalicFont=*-Oblique,BoldItalicFont=*-BoldOblique,Scale=0.9]
    \setmonofont{DejaVuSansMono}[Extension=.ttf,UprightFont=*,BoldFont=*-Bold,ItalicFont=*-Oblique,BoldItalicFont=*-BoldOblique,Scale=0.82]
    \setmathfont{DejaVuMathTeXGyre.ttf}[Scale=0.9]
    \usepackage{graphicx}
    \usepackage[export]{adjustbox}
    \usepackage{float}
    \usepackage{array,booktabs,longtable}
    \usepackage[normalem]{ulem}
    \usepackage{enumitem}
    \usepackage{xcolor}
    \definecolor{ReportRed}{HTML}{B00020}
    \definecolor{ReportBlue}{HTML}{1F4E9A}
    \definecolor{ReportGrey}{HTML}{F4F4F4}
    \usepackage{fvextra}
    \usepackage[breakable]{tcolorbox}
    \usepackage{fancyhdr}
    \usepackage[font=small,labelfont=bf]{caption}
    \usepackage[colorlinks=true,linkcolor=ReportBlue,urlcolor=ReportBlue,citecolor=ReportBlue]{hyperref}
    \usepackage{bookmark}
    \counterwithout{figure}{chapter}
    \counterwithout{table}{chapter}
    \extrafloats{100}
    \setlength{\parindent}{0pt}
    \setlength{\parskip}{0.55em plus 0.2em}
    \setlength{\emergencystretch}{3em}
    \setcounter{tocdepth}{1}
    \pagestyle{fancy}
    \fancyhf{}
    \renewcommand{\chaptermark}[1]{\markboth{\thechapter.\ #1}{}}
    \fancyhead[L]{\small\nouppercase{\leftmark}}
    \fancyhead[R]{\small\thepage}
    \renewcommand{\headrulewidth}{0.4pt}
    \fancypagestyle{plain}{\fancyhf{}\fancyfoot[C]{\small\thepage}\renewcommand{\headrulewidth}{0pt}}
    % Code, printed output, notes and errors (the names LaTeXChapter and MarkdownDocument.latex write).
    \DefineVerbatimEnvironment{ReportCode}{Verbatim}{breaklines,breakanywhere,fontsize=\footnotesize,frame=leftline,framerule=1.5pt,rulecolor=\color{ReportBlue!45},xleftmargin=6pt,framesep=6pt}
    \DefineVerbatimEnvironment{ReportOutput}{Verbatim}{breaklines,breakanywhere,fontsize=\footnotesize,frame=single,rulecolor=\color{black!25},framesep=4pt}
    \newcommand{\ReportCellHeader}[1]{\par\smallskip\noindent{\sffamily\footnotesize\color{black!60}#1}\par\nopagebreak\vspace{-0.8\parskip}}
    \newtcolorbox{ReportError}[1]{breakable,colback=ReportRed!6,colframe=ReportRed,fonttitle=\bfseries\small,title={#1}}
    \newtcolorbox{ReportNote}{breakable,colback=ReportGrey,colframe=black!30,fontupper=\small}
    \begin{document}
    \pagenumbering{roman}

    """#
}
