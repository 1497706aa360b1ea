package mastery

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
)

// Design is the training data of a logistic regression, one row per
// response, stored sparsely: most features of a row (which item, which
// standard) are zero. Row i's features are Cols[Starts[i]:Starts[i+1]] with
// values Vals[...] at the same positions; Y[i] is whether it was right.
type Design struct {
	Starts []int
	Cols   []int32
	Vals   []float64
	Y      []bool
	// Features is the number of columns.
	Features int
}

// NewDesign returns an empty design with features columns.
func NewDesign(features int) *Design {
	return &Design{Starts: []int{0}, Features: features}
}

// Set adds feature col with value v to the row being built. Zero values
// are skipped.
func (d *Design) Set(col int, v float64) {
	if v == 0 {
		return
	}
	d.Cols = append(d.Cols, int32(col))
	d.Vals = append(d.Vals, v)
}

// EndRow ends the row being built with its outcome.
func (d *Design) EndRow(correct bool) {
	d.Starts = append(d.Starts, len(d.Cols))
	d.Y = append(d.Y, correct)
}

// Rows returns the number of finished rows.
func (d *Design) Rows() int { return len(d.Y) }

// LogisticFitOptions control FitLogistic.
type LogisticFitOptions struct {
	// L2 is the ridge penalty of each column (len Features), added to the
	// mean log-loss as L2[j]/2 * w[j]^2. The intercept is never penalised.
	// nil means 1e-4 for every column.
	L2 []float64
	// MaxIter caps the L-BFGS iterations. 0 means 300.
	MaxIter int
	// Tolerance stops the fit when an iteration lowers the objective by
	// less than this fraction of it. 0 means 1e-6.
	Tolerance float64
	// Workers is how many goroutines compute the gradient; 0 means
	// GOMAXPROCS. The result does not depend on it: the rows are cut into
	// fixed blocks whose sums are added in order.
	Workers int
	// Start, when it has Features+1 values (intercept last), is where the
	// fit starts; otherwise it starts at 0.
	Start []float64
}

// LogisticFit is a fitted logistic regression.
type LogisticFit struct {
	// Weights has one weight per column of the design.
	Weights   []float64
	Intercept float64
	// Objective is the penalised mean log-loss at the end.
	Objective  float64
	Iterations int
	Converged  bool
}

// Predict returns the fitted probability of a right answer for a row with
// the given features.
func (f *LogisticFit) Predict(cols []int32, vals []float64) float64 {
	z := f.Intercept
	for k, c := range cols {
		z += f.Weights[c] * vals[k]
	}
	return Sigmoid(z)
}

// Sigmoid is the logistic function 1/(1+e^-z), exact at both ends.
func Sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// Logit is the inverse of Sigmoid, with p held within 1e-9 of 0 and 1.
func Logit(p float64) float64 {
	p = min(max(p, 1e-9), 1-1e-9)
	return math.Log(p / (1 - p))
}

// blockRows is how many rows one gradient block covers: enough to amortise
// a goroutine's start, few enough to share 2 to 16 cores evenly.
const blockRows = 8192

// FitLogistic fits a ridge-penalised logistic regression to d by
// minimising the mean log-loss plus the penalty with L-BFGS (limited-memory
// BFGS with ten correction pairs and a backtracking line search). It is
// deterministic for a given design and options. It returns ctx's error if
// ctx is cancelled, and an error when the design has no rows or a penalty
// is negative or not a number.
func FitLogistic(ctx context.Context, d *Design, opt LogisticFitOptions) (*LogisticFit, error) {
	n, p := d.Rows(), d.Features
	if n == 0 {
		return nil, fmt.Errorf("fitting a logistic regression: no responses")
	}
	l2 := opt.L2
	if l2 == nil {
		l2 = make([]float64, p)
		for j := range l2 {
			l2[j] = 1e-4
		}
	}
	if len(l2) != p {
		return nil, fmt.Errorf("fitting a logistic regression: %d penalties for %d features", len(l2), p)
	}
	for j, v := range l2 {
		if !(v >= 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("fitting a logistic regression: penalty of feature %d is %g, want a number at or above 0", j, v)
		}
	}
	if opt.MaxIter <= 0 {
		opt.MaxIter = 300
	}
	if opt.Tolerance <= 0 {
		opt.Tolerance = 1e-6
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	e := &logisticEval{d: d, l2: l2, workers: opt.Workers}
	// L-BFGS runs on rescaled weights u = w/scale, with scale chosen so that
	// the Hessian's diagonal is about 1 at the start (Jacobi
	// preconditioning): the columns of a design differ in scale by orders
	// of magnitude (an item seen twice, a count on every row), and without
	// it L-BFGS needs several times the iterations. The optimum is the same.
	scale := make([]float64, p+1)
	for k, c := range d.Cols {
		scale[c] += d.Vals[k] * d.Vals[k]
	}
	for j := range p {
		scale[j] = 1 / math.Sqrt(0.25*scale[j]/float64(n)+l2[j]+1e-12)
	}
	scale[p] = 2 // the intercept's column is all ones
	u := make([]float64, p+1)
	if len(opt.Start) == p+1 {
		for j := range u {
			u[j] = opt.Start[j] / scale[j]
		}
	}
	w := make([]float64, p+1)
	f := func(u, grad []float64) float64 {
		for j := range w {
			w[j] = u[j] * scale[j]
		}
		v := e.eval(w, grad)
		for j := range grad {
			grad[j] *= scale[j]
		}
		return v
	}
	res, err := minimizeLBFGS(ctx, f, u, opt.MaxIter, opt.Tolerance)
	if err != nil {
		return nil, fmt.Errorf("fitting a logistic regression: %w", err)
	}
	for j := range w {
		w[j] = res.x[j] * scale[j]
	}
	return &LogisticFit{
		Weights: w[:p], Intercept: w[p],
		Objective: res.f, Iterations: res.iter, Converged: res.converged,
	}, nil
}

// logisticEval computes the objective and its gradient.
type logisticEval struct {
	d       *Design
	l2      []float64
	workers int
	// partial holds each block's gradient, reused across calls.
	partial [][]float64
	loss    []float64
}

func (e *logisticEval) eval(x, grad []float64) float64 {
	d := e.d
	n, p := d.Rows(), d.Features
	blocks := (n + blockRows - 1) / blockRows
	if len(e.partial) != blocks {
		e.partial = make([][]float64, blocks)
		for b := range e.partial {
			e.partial[b] = make([]float64, p+1)
		}
		e.loss = make([]float64, blocks)
	}
	var wg sync.WaitGroup
	next := make(chan int, blocks)
	for b := range blocks {
		next <- b
	}
	close(next)
	for range min(e.workers, blocks) {
		wg.Go(func() {
			for b := range next {
				g := e.partial[b]
				clear(g)
				var loss float64
				for i := b * blockRows; i < min(n, (b+1)*blockRows); i++ {
					lo, hi := d.Starts[i], d.Starts[i+1]
					z := x[p]
					for k := lo; k < hi; k++ {
						z += x[d.Cols[k]] * d.Vals[k]
					}
					// The loss is log(1+e^z) - y*z. One exponential gives
					// both it and its derivative sigmoid(z) - y without
					// overflow: with e = e^-|z|, log(1+e^z) = max(z,0) +
					// log(1+e).
					e := math.Exp(-math.Abs(z))
					l1e := math.Log(1 + e)
					var s float64 // sigmoid(z)
					if z >= 0 {
						s = 1 / (1 + e)
					} else {
						s = e / (1 + e)
					}
					var r float64 // dLoss/dz
					if d.Y[i] {
						loss += max(-z, 0) + l1e
						r = s - 1
					} else {
						loss += max(z, 0) + l1e
						r = s
					}
					for k := lo; k < hi; k++ {
						g[d.Cols[k]] += r * d.Vals[k]
					}
					g[p] += r
				}
				e.loss[b] = loss
			}
		})
	}
	wg.Wait()
	clear(grad)
	var f float64
	for b := range blocks {
		f += e.loss[b]
		for j, v := range e.partial[b] {
			grad[j] += v
		}
	}
	inv := 1 / float64(n)
	f *= inv
	for j := range grad {
		grad[j] *= inv
	}
	for j := range p {
		f += 0.5 * e.l2[j] * x[j] * x[j]
		grad[j] += e.l2[j] * x[j]
	}
	return f
}

type lbfgsResult struct {
	x         []float64
	f         float64
	iter      int
	converged bool
}

// minimizeLBFGS minimises a smooth function f (which writes its gradient
// into its second argument) from x0 by L-BFGS (Nocedal & Wright, Numerical
// Optimization, algorithm 7.4) with an Armijo backtracking line search.
func minimizeLBFGS(ctx context.Context, f func(x, g []float64) float64, x0 []float64, maxIter int, tol float64) (lbfgsResult, error) {
	const m = 10
	n := len(x0)
	x := x0
	g := make([]float64, n)
	fx := f(x, g)
	s := make([][]float64, 0, m)
	y := make([][]float64, 0, m)
	rho := make([]float64, 0, m)
	alpha := make([]float64, m)
	dir := make([]float64, n)
	xn := make([]float64, n)
	gn := make([]float64, n)
	res := lbfgsResult{x: x, f: fx}
	for it := 1; it <= maxIter; it++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		// Two-loop recursion: dir = -H g.
		copy(dir, g)
		for i := len(s) - 1; i >= 0; i-- {
			alpha[i] = rho[i] * dot(s[i], dir)
			axpy(-alpha[i], y[i], dir)
		}
		gamma := 1.0
		if k := len(s) - 1; k >= 0 {
			gamma = dot(s[k], y[k]) / dot(y[k], y[k])
		} else if gg := math.Sqrt(dot(g, g)); gg > 0 {
			gamma = 1 / gg
		}
		for i := range dir {
			dir[i] *= gamma
		}
		for i := range s {
			b := rho[i] * dot(y[i], dir)
			axpy(alpha[i]-b, s[i], dir)
		}
		for i := range dir {
			dir[i] = -dir[i]
		}
		slope := dot(g, dir)
		if slope >= 0 {
			// Not a descent direction (rounding): start over from the gradient.
			s, y, rho = s[:0], y[:0], rho[:0]
			for i := range dir {
				dir[i] = -g[i]
			}
			slope = dot(g, dir)
		}
		if slope == 0 {
			res.converged = true
			return res, nil
		}
		step, fn := 1.0, 0.0
		ok := false
		for range 40 {
			for i := range x {
				xn[i] = x[i] + step*dir[i]
			}
			fn = f(xn, gn)
			if fn <= fx+1e-4*step*slope {
				ok = true
				break
			}
			step /= 2
		}
		if !ok {
			res.converged = true // no further progress is possible in this direction
			return res, nil
		}
		// Keep the correction pair if it keeps the approximation positive definite.
		sv, yv := make([]float64, n), make([]float64, n)
		for i := range x {
			sv[i] = xn[i] - x[i]
			yv[i] = gn[i] - g[i]
		}
		if sy := dot(sv, yv); sy > 1e-12 {
			if len(s) == m {
				s, y, rho = append(s[:0], s[1:]...), append(y[:0], y[1:]...), append(rho[:0], rho[1:]...)
			}
			s, y, rho = append(s, sv), append(y, yv), append(rho, 1/sy)
		}
		decrease := fx - fn
		copy(x, xn)
		copy(g, gn)
		fx = fn
		res = lbfgsResult{x: x, f: fx, iter: it}
		if decrease <= tol*math.Max(math.Abs(fx), 1e-12) {
			res.converged = true
			return res, nil
		}
	}
	return res, nil
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func axpy(a float64, x, y []float64) {
	for i := range x {
		y[i] += a * x[i]
	}
}
