import Engine
import Testing

@Suite struct SGDTests {
    /// Values from torch.optim.SGD(lr=0.002, momentum=0.9, weight_decay=5e-4) with CosineAnnealingLR(T_max=4, eta_min=1e-5).
    @Test func matchesTorch() {
        var parameters: [[Float]] = [[1, -2, 0.5]]
        var sgd = SGD()
        let grads: [[Float]] = [[0.3, -0.1, 2], [-1, 0.5, 0], [0.2, 0.2, 0.2]]
        var rates: [Float] = []
        for (epoch, g) in grads.enumerated() {
            sgd.learningRate = CosineSchedule.rate(base: 0.002, epoch: epoch, epochs: 4)
            rates.append(sgd.learningRate)
            sgd.step(&parameters, gradients: [g])
        }
        let expected: [Float] = [1.0011025667190552, -2.0010645389556885, 0.4910934865474701]
        #expect(zip(parameters[0], expected).allSatisfy { abs($0 - $1) < 1e-6 }, "\(parameters[0])")
        let torchRates: [Float] = [0.002, 0.0017085712472806147, 0.001005]
        #expect(zip(rates, torchRates).allSatisfy { abs($0 - $1) < 1e-8 }, "\(rates)")
    }
}
