/// Maps values in [0, 1] to colours by linear interpolation between control points.
public struct Colormap: Sendable {
    public var stops: [Color]

    public init(stops: [Color]) {
        precondition(stops.count >= 2, "Colormap needs two colours at least")
        self.stops = stops
    }

    public func color(_ t: Double) -> Color {
        let x = min(max(t.isFinite ? t : 0, 0), 1) * Double(stops.count - 1)
        let i = min(Int(x), stops.count - 2)
        let f = x - Double(i)
        let a = stops[i], b = stops[i + 1]
        return Color(red: a.red + (b.red - a.red) * f, green: a.green + (b.green - a.green) * f,
                     blue: a.blue + (b.blue - a.blue) * f)
    }

    /// Matplotlib's "jet" as anomaly heatmaps are usually drawn (blue: normal, red: anomalous).
    public static let jet = Colormap(stops: [
        Color(hex: 0x00007F), Color(hex: 0x0000FF), Color(hex: 0x007FFF), Color(hex: 0x00FFFF),
        Color(hex: 0x7FFF7F), Color(hex: 0xFFFF00), Color(hex: 0xFF7F00), Color(hex: 0xFF0000), Color(hex: 0x7F0000),
    ])

    /// Viridis at nine points: perceptually even, readable in grey.
    public static let viridis = Colormap(stops: [
        Color(hex: 0x440154), Color(hex: 0x472D7B), Color(hex: 0x3B528B), Color(hex: 0x2C728E), Color(hex: 0x21918C),
        Color(hex: 0x28AE80), Color(hex: 0x5EC962), Color(hex: 0xADDC30), Color(hex: 0xFDE725),
    ])
}
