;; Convscope's WebAssembly SIMD GEMM micro-kernels (128-bit SIMD), assembled by
;; scripts/build-wasm.mjs with wabt into src/engine/kernels/wasm/generated/ (git-ignored).
;;
;; C += A·B on packed operands, all addresses in bytes inside the exported memory:
;;   A: ⌈m/4⌉ row panels, panel i at a + i·4·k·s, element (r, p) at + (4p + r)·s
;;   B: ⌈n/8⌉ column panels, panel j at b + j·8·k·s, element (p, c) at + (8p + c)·s
;;   C: row-major, full tiles only: (4·⌈m/4⌉) × (8·⌈n/8⌉) with row stride ldc bytes
;; (s = 4 for float32, 8 for float64; the caller zero-pads A and B and crops C).
;; The k loop is blocked by KC so a B block (KC×8) stays in L1 while every A panel passes.
;;
;; The multiply-adds are written `(T.add (local.get $c) (T.mul (local.get $a) (local.get $b)))`;
;; the build derives a second binary with those rewritten to relaxed_madd (fused multiply-add),
;; used only where WebAssembly.validate accepts it (Node 22+, Node 20 with
;; --experimental-wasm-relaxed-simd).
(module
  (memory (export "memory") 1)

  ;; float32 4×8 tile: C[4×8] at pc (row stride ldc bytes) += Σ_p A[4×1]·B[1×8] over kc steps
  (func $micro_f32 (param $kc i32) (param $pa i32) (param $pb i32) (param $pc i32) (param $ldc i32)
    (local $a v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128)
    (local $c01 v128)
    (local $c10 v128)
    (local $c11 v128)
    (local $c20 v128)
    (local $c21 v128)
    (local $c30 v128)
    (local $c31 v128)
    (block $done
      (br_if $done (i32.eqz (local.get $kc)))
      (loop $k
        (local.set $b0 (v128.load (local.get $pb)))
        (local.set $b1 (v128.load offset=16 (local.get $pb)))
        (local.set $a (v128.load32_splat offset=0 (local.get $pa)))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load32_splat offset=4 (local.get $pa)))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $b0))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load32_splat offset=8 (local.get $pa)))
        (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $b0))))
        (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load32_splat offset=12 (local.get $pa)))
        (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a) (local.get $b0))))
        (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a) (local.get $b1))))
        (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
        (br_if $k (local.tee $kc (i32.sub (local.get $kc) (i32.const 1))))))
    (v128.store offset=0 (local.get $pc) (f32x4.add (v128.load offset=0 (local.get $pc)) (local.get $c00)))
    (v128.store offset=16 (local.get $pc) (f32x4.add (v128.load offset=16 (local.get $pc)) (local.get $c01)))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store offset=0 (local.get $pc) (f32x4.add (v128.load offset=0 (local.get $pc)) (local.get $c10)))
    (v128.store offset=16 (local.get $pc) (f32x4.add (v128.load offset=16 (local.get $pc)) (local.get $c11)))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store offset=0 (local.get $pc) (f32x4.add (v128.load offset=0 (local.get $pc)) (local.get $c20)))
    (v128.store offset=16 (local.get $pc) (f32x4.add (v128.load offset=16 (local.get $pc)) (local.get $c21)))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store offset=0 (local.get $pc) (f32x4.add (v128.load offset=0 (local.get $pc)) (local.get $c30)))
    (v128.store offset=16 (local.get $pc) (f32x4.add (v128.load offset=16 (local.get $pc)) (local.get $c31)))
  )

  ;; float64 4×4 tile on half of an 8-wide panel: C[4×4] at pc += Σ_p A[4×1]·B[1×4]; B rows 64 bytes apart
  (func $micro_f64 (param $kc i32) (param $pa i32) (param $pb i32) (param $pc i32) (param $ldc i32)
    (local $a v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128)
    (local $c01 v128)
    (local $c10 v128)
    (local $c11 v128)
    (local $c20 v128)
    (local $c21 v128)
    (local $c30 v128)
    (local $c31 v128)
    (block $done
      (br_if $done (i32.eqz (local.get $kc)))
      (loop $k
        (local.set $b0 (v128.load (local.get $pb)))
        (local.set $b1 (v128.load offset=16 (local.get $pb)))
        (local.set $a (v128.load64_splat offset=0 (local.get $pa)))
        (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $a) (local.get $b0))))
        (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load64_splat offset=8 (local.get $pa)))
        (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $a) (local.get $b0))))
        (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load64_splat offset=16 (local.get $pa)))
        (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $a) (local.get $b0))))
        (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load64_splat offset=24 (local.get $pa)))
        (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $a) (local.get $b0))))
        (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $a) (local.get $b1))))
        (local.set $pa (i32.add (local.get $pa) (i32.const 32)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 64)))
        (br_if $k (local.tee $kc (i32.sub (local.get $kc) (i32.const 1))))))
    (v128.store offset=0 (local.get $pc) (f64x2.add (v128.load offset=0 (local.get $pc)) (local.get $c00)))
    (v128.store offset=16 (local.get $pc) (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c01)))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store offset=0 (local.get $pc) (f64x2.add (v128.load offset=0 (local.get $pc)) (local.get $c10)))
    (v128.store offset=16 (local.get $pc) (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c11)))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store offset=0 (local.get $pc) (f64x2.add (v128.load offset=0 (local.get $pc)) (local.get $c20)))
    (v128.store offset=16 (local.get $pc) (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c21)))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store offset=0 (local.get $pc) (f64x2.add (v128.load offset=0 (local.get $pc)) (local.get $c30)))
    (v128.store offset=16 (local.get $pc) (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c31)))
  )

  ;; C += A·B, float32. mp = ⌈m/4⌉ A panels, np = ⌈n/8⌉ B panels, depth k; ldc in bytes.
  (func (export "gemm_f32") (param $mp i32) (param $np i32) (param $k i32) (param $a i32) (param $b i32) (param $c i32) (param $ldc i32)
    (local $p0 i32) (local $kc i32) (local $j i32) (local $i i32) (local $bj i32) (local $cj i32)
    (block $end
      (br_if $end (i32.or (i32.eqz (local.get $k)) (i32.or (i32.eqz (local.get $mp)) (i32.eqz (local.get $np)))))
      (loop $blocks
        ;; kc = min(256, k - p0)
        (local.set $kc (i32.sub (local.get $k) (local.get $p0)))
        (if (i32.gt_u (local.get $kc) (i32.const 256)) (then (local.set $kc (i32.const 256))))
        (local.set $j (i32.const 0))
        (loop $cols
          ;; B block: panel j, rows p0.. : b + j·32·k + p0·32
          (local.set $bj (i32.add (local.get $b) (i32.add (i32.mul (local.get $j) (i32.shl (local.get $k) (i32.const 5))) (i32.shl (local.get $p0) (i32.const 5)))))
          (local.set $cj (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 5))))
          (local.set $i (i32.const 0))
          (loop $rows
            (call $micro_f32 (local.get $kc)
              (i32.add (local.get $a) (i32.add (i32.mul (local.get $i) (i32.shl (local.get $k) (i32.const 4))) (i32.shl (local.get $p0) (i32.const 4))))
              (local.get $bj)
              (i32.add (local.get $cj) (i32.mul (i32.shl (local.get $i) (i32.const 2)) (local.get $ldc)))
              (local.get $ldc))
            (br_if $rows (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $mp))))
          (br_if $cols (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $np))))
        (br_if $blocks (i32.lt_u (local.tee $p0 (i32.add (local.get $p0) (local.get $kc))) (local.get $k))))))

  ;; C += A·B, float64; the same layout with 8-byte elements, each 8-wide panel as two 4×4 halves.
  (func (export "gemm_f64") (param $mp i32) (param $np i32) (param $k i32) (param $a i32) (param $b i32) (param $c i32) (param $ldc i32)
    (local $p0 i32) (local $kc i32) (local $j i32) (local $i i32) (local $bj i32) (local $cj i32) (local $ai i32) (local $ci i32)
    (block $end
      (br_if $end (i32.or (i32.eqz (local.get $k)) (i32.or (i32.eqz (local.get $mp)) (i32.eqz (local.get $np)))))
      (loop $blocks
        (local.set $kc (i32.sub (local.get $k) (local.get $p0)))
        (if (i32.gt_u (local.get $kc) (i32.const 256)) (then (local.set $kc (i32.const 256))))
        (local.set $j (i32.const 0))
        (loop $cols
          ;; b + j·64·k + p0·64
          (local.set $bj (i32.add (local.get $b) (i32.add (i32.mul (local.get $j) (i32.shl (local.get $k) (i32.const 6))) (i32.shl (local.get $p0) (i32.const 6)))))
          (local.set $cj (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 6))))
          (local.set $i (i32.const 0))
          (loop $rows
            (local.set $ai (i32.add (local.get $a) (i32.add (i32.mul (local.get $i) (i32.shl (local.get $k) (i32.const 5))) (i32.shl (local.get $p0) (i32.const 5)))))
            (local.set $ci (i32.add (local.get $cj) (i32.mul (i32.shl (local.get $i) (i32.const 2)) (local.get $ldc))))
            (call $micro_f64 (local.get $kc) (local.get $ai) (local.get $bj) (local.get $ci) (local.get $ldc))
            (call $micro_f64 (local.get $kc) (local.get $ai) (i32.add (local.get $bj) (i32.const 32)) (i32.add (local.get $ci) (i32.const 32)) (local.get $ldc))
            (br_if $rows (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $mp))))
          (br_if $cols (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $np))))
        (br_if $blocks (i32.lt_u (local.tee $p0 (i32.add (local.get $p0) (local.get $kc))) (local.get $k))))))

  ;; dst[i] = map[i] >= 0 ? src[map[i]] : 0 for i < n (float64; map of i32 element indices):
  ;; im2col into the packed B layout through a precomputed gather map (im2col.ts im2colPackedMap)
  (func (export "gather_f64") (param $dst i32) (param $src i32) (param $map i32) (param $n i32)
    (local $v i32) (local $end i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $end (i32.add (local.get $map) (i32.shl (local.get $n) (i32.const 2))))
      (loop $l
        (local.set $v (i32.load (local.get $map)))
        (f64.store (local.get $dst)
          (if (result f64) (i32.ge_s (local.get $v) (i32.const 0))
            (then (f64.load (i32.add (local.get $src) (i32.shl (local.get $v) (i32.const 3)))))
            (else (f64.const 0))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
        (br_if $l (i32.lt_u (local.tee $map (i32.add (local.get $map) (i32.const 4))) (local.get $end))))))

  ;; the same for float32
  (func (export "gather_f32") (param $dst i32) (param $src i32) (param $map i32) (param $n i32)
    (local $v i32) (local $end i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $end (i32.add (local.get $map) (i32.shl (local.get $n) (i32.const 2))))
      (loop $l
        (local.set $v (i32.load (local.get $map)))
        (f32.store (local.get $dst)
          (if (result f32) (i32.ge_s (local.get $v) (i32.const 0))
            (then (f32.load (i32.add (local.get $src) (i32.shl (local.get $v) (i32.const 2)))))
            (else (f32.const 0))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (br_if $l (i32.lt_u (local.tee $map (i32.add (local.get $map) (i32.const 4))) (local.get $end))))))

  ;; Dot products of row-major rows, float64: c[q] = Σ_p a[p]·b_q[p] for the four rows b_q = b + q·kb
  ;; (kb bytes apart) and q < 4, sums over p as two interleaved halves (even / odd p) added at the end.
  (func $dot4_f64 (param $k i32) (param $a i32) (param $b0 i32) (param $kb i32) (param $pc i32)
    (local $b1 i32) (local $b2 i32) (local $b3 i32) (local $p i32) (local $end i32) (local $odd i32) (local $t f64)
    (local $x v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $b1 (i32.add (local.get $b0) (local.get $kb)))
    (local.set $b2 (i32.add (local.get $b1) (local.get $kb)))
    (local.set $b3 (i32.add (local.get $b2) (local.get $kb)))
    (local.set $end (i32.shl (i32.and (local.get $k) (i32.const -2)) (i32.const 3)))
    (block $done
      (br_if $done (i32.eqz (local.get $end)))
      (loop $l
        (local.set $x (v128.load (i32.add (local.get $a) (local.get $p))))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $x) (v128.load (i32.add (local.get $b0) (local.get $p))))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $x) (v128.load (i32.add (local.get $b1) (local.get $p))))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $x) (v128.load (i32.add (local.get $b2) (local.get $p))))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $x) (v128.load (i32.add (local.get $b3) (local.get $p))))))
        (br_if $l (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 16))) (local.get $end)))))
    (local.set $odd (i32.and (local.get $k) (i32.const 1)))
    (if (local.get $odd) (then (local.set $t (f64.load (i32.add (local.get $a) (local.get $p))))))
    (f64.store offset=0 (local.get $pc) (f64.add (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0)))
      (if (result f64) (local.get $odd) (then (f64.mul (local.get $t) (f64.load (i32.add (local.get $b0) (local.get $p))))) (else (f64.const 0)))))
    (f64.store offset=8 (local.get $pc) (f64.add (f64.add (f64x2.extract_lane 0 (local.get $s1)) (f64x2.extract_lane 1 (local.get $s1)))
      (if (result f64) (local.get $odd) (then (f64.mul (local.get $t) (f64.load (i32.add (local.get $b1) (local.get $p))))) (else (f64.const 0)))))
    (f64.store offset=16 (local.get $pc) (f64.add (f64.add (f64x2.extract_lane 0 (local.get $s2)) (f64x2.extract_lane 1 (local.get $s2)))
      (if (result f64) (local.get $odd) (then (f64.mul (local.get $t) (f64.load (i32.add (local.get $b2) (local.get $p))))) (else (f64.const 0)))))
    (f64.store offset=24 (local.get $pc) (f64.add (f64.add (f64x2.extract_lane 0 (local.get $s3)) (f64x2.extract_lane 1 (local.get $s3)))
      (if (result f64) (local.get $odd) (then (f64.mul (local.get $t) (f64.load (i32.add (local.get $b3) (local.get $p))))) (else (f64.const 0)))))
  )

  (func $dot1_f64 (param $k i32) (param $a i32) (param $b0 i32) (param $pc i32)
    (local $p i32) (local $end i32) (local $odd i32) (local $t f64) (local $x v128) (local $s0 v128)
    (local.set $end (i32.shl (i32.and (local.get $k) (i32.const -2)) (i32.const 3)))
    (block $done
      (br_if $done (i32.eqz (local.get $end)))
      (loop $l
        (local.set $x (v128.load (i32.add (local.get $a) (local.get $p))))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $x) (v128.load (i32.add (local.get $b0) (local.get $p))))))
        (br_if $l (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 16))) (local.get $end)))))
    (local.set $odd (i32.and (local.get $k) (i32.const 1)))
    (if (local.get $odd) (then (local.set $t (f64.load (i32.add (local.get $a) (local.get $p))))))
    (f64.store offset=0 (local.get $pc) (f64.add (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0)))
      (if (result f64) (local.get $odd) (then (f64.mul (local.get $t) (f64.load (i32.add (local.get $b0) (local.get $p))))) (else (f64.const 0)))))
  )

  ;; C = A·Bᵀ, float64, all row-major and dense: A m×k at a, B n×k at b, C m×n at c (overwritten).
  ;; For products with few rows (a batch-1 linear layer), where packing would cost as much as the multiply.
  (func (export "gemm_nt_f64") (param $m i32) (param $n i32) (param $k i32) (param $a i32) (param $b i32) (param $c i32)
    (local $kb i32) (local $i i32) (local $j i32) (local $ai i32) (local $ci i32)
    (local.set $kb (i32.shl (local.get $k) (i32.const 3)))
    (block $end
      (br_if $end (i32.or (i32.eqz (local.get $m)) (i32.eqz (local.get $n))))
      (loop $rows
        (local.set $ai (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $kb))))
        (local.set $ci (i32.add (local.get $c) (i32.shl (i32.mul (local.get $i) (local.get $n)) (i32.const 3))))
        (local.set $j (i32.const 0))
        (block $cols4done
          (loop $cols4
            (br_if $cols4done (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
            (call $dot4_f64 (local.get $k) (local.get $ai) (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $kb))) (local.get $kb)
              (i32.add (local.get $ci) (i32.shl (local.get $j) (i32.const 3))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $cols4)))
        (block $colsdone
          (loop $cols
            (br_if $colsdone (i32.ge_u (local.get $j) (local.get $n)))
            (call $dot1_f64 (local.get $k) (local.get $ai) (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $kb)))
              (i32.add (local.get $ci) (i32.shl (local.get $j) (i32.const 3))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $cols)))
        (br_if $rows (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $m))))))
)
