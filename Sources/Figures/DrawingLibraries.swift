// The versions of the C libraries the figures are drawn with, as loaded at run time (for the report's appendix).
import CCairo
import CPango

public enum DrawingLibraries {
    public static var cairo: String { String(cString: cairo_version_string()) }
    public static var pango: String { String(cString: pango_version_string()) }
}
