// The version of cmark-gfm the chapters are parsed (and the site's prose rendered) with, as loaded at run time.
import CCmarkGFM

public enum MarkdownLibrary {
    public static var cmarkGFM: String { String(cString: cmark_version_string()) }
}
