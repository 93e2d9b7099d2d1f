;; Convscope's WebAssembly SIMD direct convolutions (128-bit SIMD) for grouped convolutions with few
;; output channels per group (depthwise above all), driven by src/engine/kernels/wasm-direct.ts and
;; assembled by scripts/build-wasm.mjs. Its own memory, separate from gemm.wat's instance; all
;; addresses and offsets in bytes.
;;
;; One primitive serves the forward pass and the input gradient (fwd_*): rows of outputs, each the
;; sum over a table of taps (source offset, weight offset) of a weight times a source row shifted by
;; the tap's offset. The sources are zero-padded copies (pad), so the hot loops have no bounds
;; checks: the forward reads the input padded on every side, each padded row stored as its W-stride
;; phases (column u at phase u mod sw, index floor(u/sw)), which turns a W stride into unit-stride
;; reads; the input gradient is the correlation of the zero-extended output gradient with the taps
;; of each stride phase of the input, its W phases interleaved back by ilv_*. Rows can also be
;; computed with the source's row stride, as one long row, and added onto the destination
;; (addrows_*). The weight gradient (wgrad_*) walks the forward's rows with dy in place of the
;; weights: one dot product per tap, four taps per pass.
;;
;; Vectors run along the rows (4 float32 / 2 float64 lanes); a row's last ncols mod lanes columns
;; are one vector placed to end at the row's end, masked to the columns not yet done (its lanes past
;; the row read the next row or the buffers' 16-byte slack, and are discarded).
;;
;; The multiply-adds are written `(T.add (local.get $c) (T.mul (local.get $a) (local.get $b)))`;
;; the build derives a second binary with them rewritten to relaxed_madd (fused multiply-add).
(module
  (memory (export "memory") 1)

  ;; dst[0, bytes) = 0, in whole vectors (up to 15 bytes past the end are zeroed too)
  (func $zero (export "zero") (param $dst i32) (param $bytes i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (local.get $bytes)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
        (v128.store (local.get $dst) (v128.const i32x4 0 0 0 0))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (br $l))))

  ;; all-ones in the bytes [lo, hi) of a vector, zero elsewhere
  (func $tailmask (param $lo i32) (param $hi i32) (result v128)
    (v128.and
      (i8x16.ge_u (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15) (i8x16.splat (local.get $lo)))
      (i8x16.lt_u (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15) (i8x16.splat (local.get $hi)))))

  ;; Zero-padded copies of `planes` dense D×H×W planes of es-byte elements (es = 4 or 8) from src into
  ;; Dp×Hp×(sw·Wq) planes at dst: element (d, h, c), for d < cD, h < cH, c < cW, goes to row
  ;; (d + oD, h + oH), column u = c + oW stored at (u mod sw)·Wq + floor(u/sw); everything else is 0.
  ;; Without a W stride, the plane is written once in address order: the zero run up to each row's
  ;; data, the data (whole vectors, the last one ending at the row's end), the final zero run. With
  ;; one, the plane is zeroed, then the phases written: two by shuffles, more element by element.
  (func (export "pad")
    (param $src i32) (param $dst i32) (param $planes i32) (param $es i32)
    (param $D i32) (param $H i32) (param $W i32) (param $cD i32) (param $cH i32) (param $cW i32)
    (param $Dp i32) (param $Hp i32) (param $Wq i32) (param $sw i32) (param $oD i32) (param $oH i32) (param $oW i32)
    (local $rs i32) (local $pdst i32) (local $psrc i32) (local $nb i32) (local $pl i32) (local $d i32) (local $h i32)
    (local $c i32) (local $ph i32) (local $step i32) (local $srow i32) (local $drow i32) (local $off i32) (local $at i32) (local $at2 i32) (local $pos i32)
    (local $va v128) (local $vb v128)
    (if (i32.eqz (local.get $planes)) (then (return)))
    (local.set $rs (i32.mul (i32.mul (local.get $sw) (local.get $Wq)) (local.get $es)))
    (local.set $pdst (i32.mul (i32.mul (local.get $Dp) (local.get $Hp)) (local.get $rs)))
    (local.set $psrc (i32.mul (i32.mul (i32.mul (local.get $D) (local.get $H)) (local.get $W)) (local.get $es)))
    (local.set $nb (i32.mul (local.get $cW) (local.get $es)))
    (if (i32.eqz (i32.and (i32.and (i32.gt_s (local.get $cD) (i32.const 0)) (i32.gt_s (local.get $cH) (i32.const 0))) (i32.gt_s (local.get $cW) (i32.const 0))))
      (then (call $zero (local.get $dst) (i32.mul (local.get $planes) (local.get $pdst))) (return)))
    (loop $planesL
      (local.set $pos (local.get $dst))
      (if (i32.ne (local.get $sw) (i32.const 1)) (then (call $zero (local.get $dst) (local.get $pdst))))
      (local.set $d (i32.const 0))
      (loop $depth
        (local.set $h (i32.const 0))
        (loop $rowsL
          (local.set $srow (i32.add (local.get $src) (i32.mul (i32.mul (i32.add (i32.mul (local.get $d) (local.get $H)) (local.get $h)) (local.get $W)) (local.get $es))))
          (local.set $drow (i32.add (local.get $dst) (i32.mul (i32.add (i32.mul (i32.add (local.get $d) (local.get $oD)) (local.get $Hp)) (i32.add (local.get $h) (local.get $oH))) (local.get $rs))))
          (if (i32.eq (local.get $sw) (i32.const 1))
            (then
              (local.set $drow (i32.add (local.get $drow) (i32.mul (local.get $oW) (local.get $es))))
              ;; the zero run up to the data, in whole vectors (the last may run into the data)
              (block $gapDone
                (loop $gap
                  (br_if $gapDone (i32.ge_u (local.get $pos) (local.get $drow)))
                  (v128.store (local.get $pos) (v128.const i32x4 0 0 0 0))
                  (local.set $pos (i32.add (local.get $pos) (i32.const 16)))
                  (br $gap)))
              (local.set $pos (i32.add (local.get $drow) (local.get $nb)))
              (local.set $off (i32.const 0))
              (if (i32.ge_s (local.get $nb) (i32.const 16))
                (then
                  (loop $vec
                    (v128.store (i32.add (local.get $drow) (local.get $off)) (v128.load (i32.add (local.get $srow) (local.get $off))))
                    (br_if $vec (i32.le_s (local.tee $off (i32.add (local.get $off) (i32.const 16))) (i32.sub (local.get $nb) (i32.const 16)))))
                  (if (i32.lt_s (local.get $off) (local.get $nb))
                    (then (v128.store (i32.add (local.get $drow) (i32.sub (local.get $nb) (i32.const 16)))
                      (v128.load (i32.add (local.get $srow) (i32.sub (local.get $nb) (i32.const 16))))))))
                (else
                  (loop $word
                    (i32.store (i32.add (local.get $drow) (local.get $off)) (i32.load (i32.add (local.get $srow) (local.get $off))))
                    (br_if $word (i32.lt_s (local.tee $off (i32.add (local.get $off) (i32.const 4))) (local.get $nb)))))))
            (else
              (if (i32.eq (local.get $sw) (i32.const 2))
                (then
                  ;; two phases: even columns c to phase oW mod 2 from index floor(oW/2), odd ones to
                  ;; the other from floor((oW + 1)/2); 32 source bytes de-interleaved per step
                  (local.set $at (i32.add (local.get $drow) (i32.mul (local.get $es)
                    (i32.add (i32.mul (i32.and (local.get $oW) (i32.const 1)) (local.get $Wq)) (i32.shr_u (local.get $oW) (i32.const 1))))))
                  (local.set $at2 (i32.add (local.get $drow) (i32.mul (local.get $es)
                    (i32.add (i32.mul (i32.sub (i32.const 1) (i32.and (local.get $oW) (i32.const 1))) (local.get $Wq)) (i32.shr_u (i32.add (local.get $oW) (i32.const 1)) (i32.const 1))))))
                  (local.set $off (i32.const 0))
                  (block $pairsDone
                    (loop $pairs
                      (br_if $pairsDone (i32.gt_s (i32.add (local.get $off) (i32.const 32)) (local.get $nb)))
                      (local.set $va (v128.load (i32.add (local.get $srow) (local.get $off))))
                      (local.set $vb (v128.load offset=16 (i32.add (local.get $srow) (local.get $off))))
                      (if (i32.eq (local.get $es) (i32.const 4))
                        (then
                          (v128.store (local.get $at) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $va) (local.get $vb)))
                          (v128.store (local.get $at2) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $va) (local.get $vb))))
                        (else
                          (v128.store (local.get $at) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $va) (local.get $vb)))
                          (v128.store (local.get $at2) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $va) (local.get $vb)))))
                      (local.set $at (i32.add (local.get $at) (i32.const 16)))
                      (local.set $at2 (i32.add (local.get $at2) (i32.const 16)))
                      (local.set $off (i32.add (local.get $off) (i32.const 32)))
                      (br $pairs)))
                  ;; the last (fewer than 32 bytes) element by element, alternating between the phases
                  (block $restDone
                    (loop $rest
                      (br_if $restDone (i32.ge_s (local.get $off) (local.get $nb)))
                      (if (i32.eq (local.get $es) (i32.const 8))
                        (then (i64.store (local.get $at) (i64.load (i32.add (local.get $srow) (local.get $off)))))
                        (else (i32.store (local.get $at) (i32.load (i32.add (local.get $srow) (local.get $off))))))
                      (local.set $step (local.get $at))
                      (local.set $at (local.get $at2))
                      (local.set $at2 (i32.add (local.get $step) (local.get $es)))
                      (local.set $off (i32.add (local.get $off) (local.get $es)))
                      (br $rest))))
                (else
                  ;; sw phases: phase φ holds the columns c ≡ φ − oW (mod sw), in order
                  (local.set $ph (i32.const 0))
                  (loop $phases
                    (local.set $c (i32.rem_u (i32.add (i32.sub (local.get $ph) (i32.rem_u (local.get $oW) (local.get $sw))) (local.get $sw)) (local.get $sw)))
                    (if (i32.lt_s (local.get $c) (local.get $cW))
                      (then
                        (local.set $at (i32.add (local.get $drow) (i32.mul (local.get $es)
                          (i32.add (i32.mul (local.get $ph) (local.get $Wq)) (i32.div_u (i32.add (local.get $c) (local.get $oW)) (local.get $sw))))))
                        (local.set $off (i32.mul (local.get $c) (local.get $es)))
                        (local.set $step (i32.mul (local.get $sw) (local.get $es)))
                        (if (i32.eq (local.get $es) (i32.const 8))
                          (then
                            (loop $cols8
                              (i64.store (local.get $at) (i64.load (i32.add (local.get $srow) (local.get $off))))
                              (local.set $at (i32.add (local.get $at) (i32.const 8)))
                              (br_if $cols8 (i32.lt_s (local.tee $off (i32.add (local.get $off) (local.get $step))) (local.get $nb)))))
                          (else
                            (loop $cols4
                              (i32.store (local.get $at) (i32.load (i32.add (local.get $srow) (local.get $off))))
                              (local.set $at (i32.add (local.get $at) (i32.const 4)))
                              (br_if $cols4 (i32.lt_s (local.tee $off (i32.add (local.get $off) (local.get $step))) (local.get $nb))))))))
                    (br_if $phases (i32.lt_u (local.tee $ph (i32.add (local.get $ph) (i32.const 1))) (local.get $sw))))))))
          (br_if $rowsL (i32.lt_s (local.tee $h (i32.add (local.get $h) (i32.const 1))) (local.get $cH))))
        (br_if $depth (i32.lt_s (local.tee $d (i32.add (local.get $d) (i32.const 1))) (local.get $cD))))
      (if (i32.eq (local.get $sw) (i32.const 1))
        (then (call $zero (local.get $pos) (i32.sub (i32.add (local.get $dst) (local.get $pdst)) (local.get $pos)))))
      (local.set $src (i32.add (local.get $src) (local.get $psrc)))
      (local.set $dst (i32.add (local.get $dst) (local.get $pdst)))
      (br_if $planesL (i32.lt_u (local.tee $pl (i32.add (local.get $pl) (i32.const 1))) (local.get $planes)))))

  ;; ---- float32

  ;; Σ over the taps of w·x for one vector of outputs whose taps read from p + srcOff (see fwd_f32)
  (func $dot1_f32 (param $p i32) (param $t i32) (param $tend i32) (param $wb i32) (result v128)
    (local $w v128) (local $x v128) (local $c0 v128)
    (loop $taps
      (local.set $w (v128.load32_splat (i32.add (local.get $wb) (i32.load offset=4 (local.get $t)))))
      (local.set $x (v128.load (i32.add (local.get $p) (i32.load (local.get $t)))))
      (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $w) (local.get $x))))
      (br_if $taps (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 8))) (local.get $tend))))
    (local.get $c0))

  ;; Rows of outputs, each a sum of shifted source rows: for a < nA, b < nB, j < ncols
  ;;   dst[a·dsA + b·dsB + 4j] (+)= Σ_taps w[wb + wOff]·src[a·ssA + b·ssB + srcOff + 4j]
  ;; over a table of ntaps (srcOff, wOff) byte pairs; accumulated when acc ≠ 0, else overwritten.
  ;; Blocks of 7 vectors (28 columns), then of 4, keep their sums in registers over all taps (7 sums,
  ;; 7 loads and the weight fill the 15 vector registers V8 allocates on x64), then single vectors,
  ;; then one masked vector over the last ncols mod 4.
  (func (export "fwd_f32")
    (param $dst i32) (param $dsA i32) (param $dsB i32) (param $nA i32) (param $nB i32) (param $ncols i32)
    (param $src i32) (param $ssA i32) (param $ssB i32) (param $tab i32) (param $ntaps i32) (param $wb i32) (param $acc i32)
    (local $nb i32) (local $done i32) (local $start i32) (local $mask v128) (local $keep v128)
    (local $a i32) (local $b i32) (local $drow i32) (local $srow i32) (local $j i32) (local $t i32) (local $tend i32) (local $p i32)
    (local $w v128) (local $x v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $c4 v128) (local $c5 v128) (local $c6 v128)
    (if (i32.or (i32.or (i32.eqz (local.get $ntaps)) (i32.eqz (local.get $ncols))) (i32.or (i32.eqz (local.get $nA)) (i32.eqz (local.get $nB))))
      (then (return)))
    (local.set $keep (i8x16.splat (i32.sub (i32.const 0) (i32.ne (local.get $acc) (i32.const 0)))))
    (local.set $tend (i32.add (local.get $tab) (i32.shl (local.get $ntaps) (i32.const 3))))
    (local.set $nb (i32.shl (local.get $ncols) (i32.const 2)))
    (local.set $done (i32.and (local.get $nb) (i32.const -16)))
    (local.set $start (select (i32.sub (local.get $nb) (i32.const 16)) (i32.const 0) (i32.gt_s (local.get $nb) (i32.const 16))))
    (local.set $mask (call $tailmask (i32.sub (local.get $done) (local.get $start)) (i32.sub (local.get $nb) (local.get $start))))
    (loop $rowsA
      (local.set $b (i32.const 0))
      (loop $rowsB
        (local.set $drow (i32.add (local.get $dst) (i32.add (i32.mul (local.get $a) (local.get $dsA)) (i32.mul (local.get $b) (local.get $dsB)))))
        (local.set $srow (i32.add (local.get $src) (i32.add (i32.mul (local.get $a) (local.get $ssA)) (i32.mul (local.get $b) (local.get $ssB)))))
        (local.set $j (i32.const 0))
        (block $blocksDone
          (loop $blocks
            (br_if $blocksDone (i32.gt_s (i32.add (local.get $j) (i32.const 112)) (local.get $nb)))
            (local.set $c0 (v128.const i32x4 0 0 0 0))
            (local.set $c1 (v128.const i32x4 0 0 0 0))
            (local.set $c2 (v128.const i32x4 0 0 0 0))
            (local.set $c3 (v128.const i32x4 0 0 0 0))
            (local.set $c4 (v128.const i32x4 0 0 0 0))
            (local.set $c5 (v128.const i32x4 0 0 0 0))
            (local.set $c6 (v128.const i32x4 0 0 0 0))
            (local.set $t (local.get $tab))
            (loop $taps
              (local.set $p (i32.add (i32.add (local.get $srow) (local.get $j)) (i32.load (local.get $t))))
              (local.set $w (v128.load32_splat (i32.add (local.get $wb) (i32.load offset=4 (local.get $t)))))
              (local.set $x (v128.load offset=0 (local.get $p)))
              (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $w) (local.get $x))))
              (local.set $x (v128.load offset=16 (local.get $p)))
              (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $w) (local.get $x))))
              (local.set $x (v128.load offset=32 (local.get $p)))
              (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (local.get $w) (local.get $x))))
              (local.set $x (v128.load offset=48 (local.get $p)))
              (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (local.get $w) (local.get $x))))
              (local.set $x (v128.load offset=64 (local.get $p)))
              (local.set $c4 (f32x4.add (local.get $c4) (f32x4.mul (local.get $w) (local.get $x))))
              (local.set $x (v128.load offset=80 (local.get $p)))
              (local.set $c5 (f32x4.add (local.get $c5) (f32x4.mul (local.get $w) (local.get $x))))
              (local.set $x (v128.load offset=96 (local.get $p)))
              (local.set $c6 (f32x4.add (local.get $c6) (f32x4.mul (local.get $w) (local.get $x))))
              (br_if $taps (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 8))) (local.get $tend))))
            (local.set $p (i32.add (local.get $drow) (local.get $j)))
            (v128.store offset=0 (local.get $p) (f32x4.add (v128.and (v128.load offset=0 (local.get $p)) (local.get $keep)) (local.get $c0)))
            (v128.store offset=16 (local.get $p) (f32x4.add (v128.and (v128.load offset=16 (local.get $p)) (local.get $keep)) (local.get $c1)))
            (v128.store offset=32 (local.get $p) (f32x4.add (v128.and (v128.load offset=32 (local.get $p)) (local.get $keep)) (local.get $c2)))
            (v128.store offset=48 (local.get $p) (f32x4.add (v128.and (v128.load offset=48 (local.get $p)) (local.get $keep)) (local.get $c3)))
            (v128.store offset=64 (local.get $p) (f32x4.add (v128.and (v128.load offset=64 (local.get $p)) (local.get $keep)) (local.get $c4)))
            (v128.store offset=80 (local.get $p) (f32x4.add (v128.and (v128.load offset=80 (local.get $p)) (local.get $keep)) (local.get $c5)))
            (v128.store offset=96 (local.get $p) (f32x4.add (v128.and (v128.load offset=96 (local.get $p)) (local.get $keep)) (local.get $c6)))
            (local.set $j (i32.add (local.get $j) (i32.const 112)))
            (br $blocks)))
        (if (i32.le_s (i32.add (local.get $j) (i32.const 64)) (local.get $nb))
          (then
            (local.set $c0 (v128.const i32x4 0 0 0 0))
            (local.set $c1 (v128.const i32x4 0 0 0 0))
            (local.set $c2 (v128.const i32x4 0 0 0 0))
            (local.set $c3 (v128.const i32x4 0 0 0 0))
            (local.set $t (local.get $tab))
            (loop $taps
              (local.set $p (i32.add (i32.add (local.get $srow) (local.get $j)) (i32.load (local.get $t))))
              (local.set $w (v128.load32_splat (i32.add (local.get $wb) (i32.load offset=4 (local.get $t)))))
              (local.set $x (v128.load offset=0 (local.get $p)))
              (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $w) (local.get $x))))
              (local.set $x (v128.load offset=16 (local.get $p)))
              (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $w) (local.get $x))))
              (local.set $x (v128.load offset=32 (local.get $p)))
              (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (local.get $w) (local.get $x))))
              (local.set $x (v128.load offset=48 (local.get $p)))
              (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (local.get $w) (local.get $x))))
              (br_if $taps (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 8))) (local.get $tend))))
            (local.set $p (i32.add (local.get $drow) (local.get $j)))
            (v128.store offset=0 (local.get $p) (f32x4.add (v128.and (v128.load offset=0 (local.get $p)) (local.get $keep)) (local.get $c0)))
            (v128.store offset=16 (local.get $p) (f32x4.add (v128.and (v128.load offset=16 (local.get $p)) (local.get $keep)) (local.get $c1)))
            (v128.store offset=32 (local.get $p) (f32x4.add (v128.and (v128.load offset=32 (local.get $p)) (local.get $keep)) (local.get $c2)))
            (v128.store offset=48 (local.get $p) (f32x4.add (v128.and (v128.load offset=48 (local.get $p)) (local.get $keep)) (local.get $c3)))
            (local.set $j (i32.add (local.get $j) (i32.const 64)))))
        (block $singlesDone
          (loop $singles
            (br_if $singlesDone (i32.gt_s (i32.add (local.get $j) (i32.const 16)) (local.get $nb)))
            (local.set $c0 (call $dot1_f32 (i32.add (local.get $srow) (local.get $j)) (local.get $tab) (local.get $tend) (local.get $wb)))
            (local.set $p (i32.add (local.get $drow) (local.get $j)))
            (v128.store (local.get $p) (f32x4.add (v128.and (v128.load (local.get $p)) (local.get $keep)) (local.get $c0)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $singles)))
        (if (i32.lt_s (local.get $done) (local.get $nb))
          (then
            (local.set $c0 (call $dot1_f32 (i32.add (local.get $srow) (local.get $start)) (local.get $tab) (local.get $tend) (local.get $wb)))
            (local.set $p (i32.add (local.get $drow) (local.get $start)))
            (local.set $x (v128.load (local.get $p)))
            (v128.store (local.get $p) (v128.bitselect (f32x4.add (v128.and (local.get $x) (local.get $keep)) (local.get $c0)) (local.get $x) (local.get $mask)))))
        (br_if $rowsB (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $nB))))
      (br_if $rowsA (i32.lt_u (local.tee $a (i32.add (local.get $a) (i32.const 1))) (local.get $nA)))))

  ;; One tap's correlation: Σ over the rows (a, b) and columns of dy·src[o + ...] per lane, four
  ;; vectors (independent sums) at a time (see wgrad_f32; mask / start: the rows' masked last vector)
  (func $wdot1_f32
    (param $dy i32) (param $dyA i32) (param $dyB i32) (param $nA i32) (param $nB i32) (param $nb i32)
    (param $src i32) (param $ssA i32) (param $ssB i32) (param $o i32) (param $start i32) (param $mask v128) (result v128)
    (local $a i32) (local $b i32) (local $drow i32) (local $p i32) (local $j i32)
    (local $d v128) (local $x v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (loop $rowsA
      (local.set $b (i32.const 0))
      (loop $rowsB
        (local.set $drow (i32.add (local.get $dy) (i32.add (i32.mul (local.get $a) (local.get $dyA)) (i32.mul (local.get $b) (local.get $dyB)))))
        (local.set $p (i32.add (i32.add (local.get $src) (local.get $o)) (i32.add (i32.mul (local.get $a) (local.get $ssA)) (i32.mul (local.get $b) (local.get $ssB)))))
        (local.set $j (i32.const 0))
        (block $quadsDone
          (loop $quads
            (br_if $quadsDone (i32.gt_s (i32.add (local.get $j) (i32.const 64)) (local.get $nb)))
            (local.set $d (v128.load offset=0 (i32.add (local.get $drow) (local.get $j))))
            (local.set $x (v128.load offset=0 (i32.add (local.get $p) (local.get $j))))
            (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $d) (local.get $x))))
            (local.set $d (v128.load offset=16 (i32.add (local.get $drow) (local.get $j))))
            (local.set $x (v128.load offset=16 (i32.add (local.get $p) (local.get $j))))
            (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (local.get $d) (local.get $x))))
            (local.set $d (v128.load offset=32 (i32.add (local.get $drow) (local.get $j))))
            (local.set $x (v128.load offset=32 (i32.add (local.get $p) (local.get $j))))
            (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $d) (local.get $x))))
            (local.set $d (v128.load offset=48 (i32.add (local.get $drow) (local.get $j))))
            (local.set $x (v128.load offset=48 (i32.add (local.get $p) (local.get $j))))
            (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (local.get $d) (local.get $x))))
            (local.set $j (i32.add (local.get $j) (i32.const 64)))
            (br $quads)))
        (block $singlesDone
          (loop $singles
            (br_if $singlesDone (i32.gt_s (i32.add (local.get $j) (i32.const 16)) (local.get $nb)))
            (local.set $d (v128.load (i32.add (local.get $drow) (local.get $j))))
            (local.set $x (v128.load (i32.add (local.get $p) (local.get $j))))
            (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $d) (local.get $x))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $singles)))
        (if (i32.lt_s (local.get $j) (local.get $nb))
          (then
            (local.set $s1 (f32x4.add (local.get $s1) (v128.and (local.get $mask)
              (f32x4.mul (v128.load (i32.add (local.get $drow) (local.get $start))) (v128.load (i32.add (local.get $p) (local.get $start)))))))))
        (br_if $rowsB (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $nB))))
      (br_if $rowsA (i32.lt_u (local.tee $a (i32.add (local.get $a) (i32.const 1))) (local.get $nA))))
    (f32x4.add (f32x4.add (local.get $s0) (local.get $s1)) (f32x4.add (local.get $s2) (local.get $s3))))

  ;; Correlations of rows with shifted source rows: for each table entry (srcOff, wOff)
  ;;   dw[dwb + wOff] += Σ_{a < nA, b < nB, j < ncols} dy[a·dyA + b·dyB + 4j]·src[a·ssA + b·ssB + srcOff + 4j]
  ;; Four taps per pass over dy (4 sums, dy and 4 loads in registers); the last ntaps mod 4 taps one
  ;; per pass. Each row's last ncols mod 4 columns are one masked vector (the products are masked,
  ;; not dy: a masked lane adds 0 even where the source is infinite).
  (func (export "wgrad_f32")
    (param $dy i32) (param $dyA i32) (param $dyB i32) (param $nA i32) (param $nB i32) (param $ncols i32)
    (param $src i32) (param $ssA i32) (param $ssB i32) (param $tab i32) (param $ntaps i32) (param $dwb i32)
    (local $nb i32) (local $done i32) (local $start i32) (local $mask v128)
    (local $a i32) (local $b i32) (local $drow i32) (local $srow i32) (local $j i32) (local $t i32) (local $tend i32) (local $p i32)
    (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32)
    (local $d v128) (local $x v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (if (i32.or (i32.or (i32.eqz (local.get $ntaps)) (i32.eqz (local.get $ncols))) (i32.or (i32.eqz (local.get $nA)) (i32.eqz (local.get $nB))))
      (then (return)))
    (local.set $tend (i32.add (local.get $tab) (i32.shl (local.get $ntaps) (i32.const 3))))
    (local.set $nb (i32.shl (local.get $ncols) (i32.const 2)))
    (local.set $done (i32.and (local.get $nb) (i32.const -16)))
    (local.set $start (select (i32.sub (local.get $nb) (i32.const 16)) (i32.const 0) (i32.gt_s (local.get $nb) (i32.const 16))))
    (local.set $mask (call $tailmask (i32.sub (local.get $done) (local.get $start)) (i32.sub (local.get $nb) (local.get $start))))
    (local.set $t (local.get $tab))
    (block $groupsDone
      (loop $groups
        (br_if $groupsDone (i32.gt_u (i32.add (local.get $t) (i32.const 32)) (local.get $tend)))
        (local.set $o0 (i32.load offset=0 (local.get $t)))
        (local.set $o1 (i32.load offset=8 (local.get $t)))
        (local.set $o2 (i32.load offset=16 (local.get $t)))
        (local.set $o3 (i32.load offset=24 (local.get $t)))
        (local.set $s0 (v128.const i32x4 0 0 0 0))
        (local.set $s1 (v128.const i32x4 0 0 0 0))
        (local.set $s2 (v128.const i32x4 0 0 0 0))
        (local.set $s3 (v128.const i32x4 0 0 0 0))
        (local.set $a (i32.const 0))
        (loop $rowsA
          (local.set $b (i32.const 0))
          (loop $rowsB
            (local.set $drow (i32.add (local.get $dy) (i32.add (i32.mul (local.get $a) (local.get $dyA)) (i32.mul (local.get $b) (local.get $dyB)))))
            (local.set $srow (i32.add (local.get $src) (i32.add (i32.mul (local.get $a) (local.get $ssA)) (i32.mul (local.get $b) (local.get $ssB)))))
            (local.set $j (i32.const 0))
            (block $colsDone
              (loop $cols
                (br_if $colsDone (i32.gt_s (i32.add (local.get $j) (i32.const 16)) (local.get $nb)))
                (local.set $d (v128.load (i32.add (local.get $drow) (local.get $j))))
                (local.set $p (i32.add (local.get $srow) (local.get $j)))
                (local.set $x (v128.load (i32.add (local.get $p) (local.get $o0))))
                (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $d) (local.get $x))))
                (local.set $x (v128.load (i32.add (local.get $p) (local.get $o1))))
                (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (local.get $d) (local.get $x))))
                (local.set $x (v128.load (i32.add (local.get $p) (local.get $o2))))
                (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $d) (local.get $x))))
                (local.set $x (v128.load (i32.add (local.get $p) (local.get $o3))))
                (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (local.get $d) (local.get $x))))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (br $cols)))
            (if (i32.lt_s (local.get $j) (local.get $nb))
              (then
                (local.set $d (v128.load (i32.add (local.get $drow) (local.get $start))))
                (local.set $p (i32.add (local.get $srow) (local.get $start)))
                (local.set $s0 (f32x4.add (local.get $s0) (v128.and (local.get $mask) (f32x4.mul (local.get $d) (v128.load (i32.add (local.get $p) (local.get $o0)))))))
                (local.set $s1 (f32x4.add (local.get $s1) (v128.and (local.get $mask) (f32x4.mul (local.get $d) (v128.load (i32.add (local.get $p) (local.get $o1)))))))
                (local.set $s2 (f32x4.add (local.get $s2) (v128.and (local.get $mask) (f32x4.mul (local.get $d) (v128.load (i32.add (local.get $p) (local.get $o2)))))))
                (local.set $s3 (f32x4.add (local.get $s3) (v128.and (local.get $mask) (f32x4.mul (local.get $d) (v128.load (i32.add (local.get $p) (local.get $o3)))))))))
            (br_if $rowsB (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $nB))))
          (br_if $rowsA (i32.lt_u (local.tee $a (i32.add (local.get $a) (i32.const 1))) (local.get $nA))))
        (call $acc_f32 (i32.add (local.get $dwb) (i32.load offset=4 (local.get $t))) (local.get $s0))
        (call $acc_f32 (i32.add (local.get $dwb) (i32.load offset=12 (local.get $t))) (local.get $s1))
        (call $acc_f32 (i32.add (local.get $dwb) (i32.load offset=20 (local.get $t))) (local.get $s2))
        (call $acc_f32 (i32.add (local.get $dwb) (i32.load offset=28 (local.get $t))) (local.get $s3))
        (local.set $t (i32.add (local.get $t) (i32.const 32)))
        (br $groups)))
    (block $restDone
      (loop $rest
        (br_if $restDone (i32.ge_u (local.get $t) (local.get $tend)))
        (call $acc_f32 (i32.add (local.get $dwb) (i32.load offset=4 (local.get $t)))
          (call $wdot1_f32 (local.get $dy) (local.get $dyA) (local.get $dyB) (local.get $nA) (local.get $nB) (local.get $nb)
            (local.get $src) (local.get $ssA) (local.get $ssB) (i32.load (local.get $t)) (local.get $start) (local.get $mask)))
        (local.set $t (i32.add (local.get $t) (i32.const 8)))
        (br $rest))))

  ;; f32 at `at` += the sum of the 4 lanes of s
  (func $acc_f32 (param $at i32) (param $s v128)
    (local.set $s (f32x4.add (local.get $s) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $s) (local.get $s))))
    (f32.store (local.get $at) (f32.add (f32.load (local.get $at))
      (f32.add (f32x4.extract_lane 0 (local.get $s)) (f32x4.extract_lane 1 (local.get $s))))))

  ;; dst[a·dsA + b·dsB + 4j] += src[((a·nB + b)·srs + j)·4] for a < nA, b < nB, j < ncols: adds rows
  ;; computed with a longer stride srs (elements) onto the destination rows
  (func (export "addrows_f32")
    (param $dst i32) (param $dsA i32) (param $dsB i32) (param $nA i32) (param $nB i32) (param $ncols i32) (param $src i32) (param $srs i32)
    (local $nb i32) (local $done i32) (local $start i32) (local $mask v128)
    (local $a i32) (local $b i32) (local $drow i32) (local $j i32) (local $x v128)
    (if (i32.or (i32.eqz (local.get $ncols)) (i32.or (i32.eqz (local.get $nA)) (i32.eqz (local.get $nB)))) (then (return)))
    (local.set $srs (i32.shl (local.get $srs) (i32.const 2)))
    (local.set $nb (i32.shl (local.get $ncols) (i32.const 2)))
    (local.set $done (i32.and (local.get $nb) (i32.const -16)))
    (local.set $start (select (i32.sub (local.get $nb) (i32.const 16)) (i32.const 0) (i32.gt_s (local.get $nb) (i32.const 16))))
    (local.set $mask (call $tailmask (i32.sub (local.get $done) (local.get $start)) (i32.sub (local.get $nb) (local.get $start))))
    (loop $rowsA
      (local.set $b (i32.const 0))
      (loop $rowsB
        (local.set $drow (i32.add (local.get $dst) (i32.add (i32.mul (local.get $a) (local.get $dsA)) (i32.mul (local.get $b) (local.get $dsB)))))
        (local.set $j (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.gt_s (i32.add (local.get $j) (i32.const 16)) (local.get $nb)))
            (v128.store (i32.add (local.get $drow) (local.get $j))
              (f32x4.add (v128.load (i32.add (local.get $drow) (local.get $j))) (v128.load (i32.add (local.get $src) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $cols)))
        (if (i32.lt_s (local.get $done) (local.get $nb))
          (then
            (local.set $x (v128.load (i32.add (local.get $drow) (local.get $start))))
            (v128.store (i32.add (local.get $drow) (local.get $start))
              (v128.bitselect (f32x4.add (local.get $x) (v128.load (i32.add (local.get $src) (local.get $start)))) (local.get $x) (local.get $mask)))))
        (local.set $src (i32.add (local.get $src) (local.get $srs)))
        (br_if $rowsB (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $nB))))
      (br_if $rowsA (i32.lt_u (local.tee $a (i32.add (local.get $a) (i32.const 1))) (local.get $nA)))))

  ;; Interleaves stride phases back: dst[r·W + i] += src[(r·sw + φ)·Jw + k] for r < rows and the
  ;; columns i = i0(φ) + k·sw of each phase φ, i0(φ) the first i ≥ 0 with (i + pw) mod sw = φ (whose
  ;; phase column is the first inside the row)
  (func (export "ilv_f32") (param $dst i32) (param $src i32) (param $rows i32) (param $W i32) (param $sw i32) (param $Jw i32) (param $pw i32)
    (local $r i32) (local $ph i32) (local $i i32) (local $d i32) (local $s i32) (local $step i32) (local $drow i32) (local $ve v128) (local $vo v128)
    (if (i32.or (i32.eqz (local.get $rows)) (i32.eqz (local.get $W))) (then (return)))
    (local.set $step (i32.shl (local.get $sw) (i32.const 2)))
    (if (i32.eq (local.get $sw) (i32.const 2))
      (then
        ;; two phases: dst[2k] += phase (pw mod 2)[k], dst[2k + 1] += the other phase[k]
        (loop $rows2
          (local.set $drow (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $r) (local.get $W)) (i32.const 2))))
          (local.set $d (i32.add (local.get $src) (i32.shl (i32.mul (i32.add (i32.shl (local.get $r) (i32.const 1)) (i32.and (local.get $pw) (i32.const 1))) (local.get $Jw)) (i32.const 2))))
          (local.set $s (i32.add (local.get $src) (i32.shl (i32.mul (i32.add (i32.shl (local.get $r) (i32.const 1)) (i32.sub (i32.const 1) (i32.and (local.get $pw) (i32.const 1)))) (local.get $Jw)) (i32.const 2))))
          (local.set $i (i32.const 0))
          (block $pairsDone
            (loop $pairs
              (br_if $pairsDone (i32.gt_s (i32.add (local.get $i) (i32.const 8)) (local.get $W)))
              (local.set $ve (v128.load (local.get $d)))
              (local.set $vo (v128.load (local.get $s)))
              (local.set $ph (i32.add (local.get $drow) (i32.shl (local.get $i) (i32.const 2))))
              (v128.store (local.get $ph) (f32x4.add (v128.load (local.get $ph))
                (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $ve) (local.get $vo))))
              (v128.store offset=16 (local.get $ph) (f32x4.add (v128.load offset=16 (local.get $ph))
                (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $ve) (local.get $vo))))
              (local.set $d (i32.add (local.get $d) (i32.const 16)))
              (local.set $s (i32.add (local.get $s) (i32.const 16)))
              (local.set $i (i32.add (local.get $i) (i32.const 8)))
              (br $pairs)))
          ;; the rest element by element, alternating between the phases
          (block $restDone
            (loop $rest
              (br_if $restDone (i32.ge_s (local.get $i) (local.get $W)))
              (local.set $ph (i32.add (local.get $drow) (i32.shl (local.get $i) (i32.const 2))))
              (f32.store (local.get $ph) (f32.add (f32.load (local.get $ph)) (f32.load (local.get $d))))
              (local.set $ph (local.get $d))
              (local.set $d (local.get $s))
              (local.set $s (i32.add (local.get $ph) (i32.const 4)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $rest)))
          (br_if $rows2 (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows))))
        (return)))
    (loop $rowsL
      (local.set $drow (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $r) (local.get $W)) (i32.const 2))))
      (local.set $ph (i32.const 0))
      (loop $phases
        (local.set $i (i32.rem_u (i32.add (i32.sub (local.get $ph) (i32.rem_u (local.get $pw) (local.get $sw))) (local.get $sw)) (local.get $sw)))
        (if (i32.lt_s (local.get $i) (local.get $W))
          (then
            (local.set $d (i32.add (local.get $drow) (i32.shl (local.get $i) (i32.const 2))))
            (local.set $s (i32.add (local.get $src) (i32.shl (i32.mul (i32.add (i32.mul (local.get $r) (local.get $sw)) (local.get $ph)) (local.get $Jw)) (i32.const 2))))
            (loop $cols
              (f32.store (local.get $d) (f32.add (f32.load (local.get $d)) (f32.load (local.get $s))))
              (local.set $d (i32.add (local.get $d) (local.get $step)))
              (local.set $s (i32.add (local.get $s) (i32.const 4)))
              (br_if $cols (i32.lt_s (local.tee $i (i32.add (local.get $i) (local.get $sw))) (local.get $W))))))
        (br_if $phases (i32.lt_u (local.tee $ph (i32.add (local.get $ph) (i32.const 1))) (local.get $sw))))
      (br_if $rowsL (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows)))))

  ;; ---- float64

  ;; dot1_f32 in float64
  (func $dot1_f64 (param $p i32) (param $t i32) (param $tend i32) (param $wb i32) (result v128)
    (local $w v128) (local $x v128) (local $c0 v128)
    (loop $taps
      (local.set $w (v128.load64_splat (i32.add (local.get $wb) (i32.load offset=4 (local.get $t)))))
      (local.set $x (v128.load (i32.add (local.get $p) (i32.load (local.get $t)))))
      (local.set $c0 (f64x2.add (local.get $c0) (f64x2.mul (local.get $w) (local.get $x))))
      (br_if $taps (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 8))) (local.get $tend))))
    (local.get $c0))

  ;; fwd_f32 in float64: 8-byte elements, 2 per vector (blocks of 14 and 8 columns)
  (func (export "fwd_f64")
    (param $dst i32) (param $dsA i32) (param $dsB i32) (param $nA i32) (param $nB i32) (param $ncols i32)
    (param $src i32) (param $ssA i32) (param $ssB i32) (param $tab i32) (param $ntaps i32) (param $wb i32) (param $acc i32)
    (local $nb i32) (local $done i32) (local $start i32) (local $mask v128) (local $keep v128)
    (local $a i32) (local $b i32) (local $drow i32) (local $srow i32) (local $j i32) (local $t i32) (local $tend i32) (local $p i32)
    (local $w v128) (local $x v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $c4 v128) (local $c5 v128) (local $c6 v128)
    (if (i32.or (i32.or (i32.eqz (local.get $ntaps)) (i32.eqz (local.get $ncols))) (i32.or (i32.eqz (local.get $nA)) (i32.eqz (local.get $nB))))
      (then (return)))
    (local.set $keep (i8x16.splat (i32.sub (i32.const 0) (i32.ne (local.get $acc) (i32.const 0)))))
    (local.set $tend (i32.add (local.get $tab) (i32.shl (local.get $ntaps) (i32.const 3))))
    (local.set $nb (i32.shl (local.get $ncols) (i32.const 3)))
    (local.set $done (i32.and (local.get $nb) (i32.const -16)))
    (local.set $start (select (i32.sub (local.get $nb) (i32.const 16)) (i32.const 0) (i32.gt_s (local.get $nb) (i32.const 16))))
    (local.set $mask (call $tailmask (i32.sub (local.get $done) (local.get $start)) (i32.sub (local.get $nb) (local.get $start))))
    (loop $rowsA
      (local.set $b (i32.const 0))
      (loop $rowsB
        (local.set $drow (i32.add (local.get $dst) (i32.add (i32.mul (local.get $a) (local.get $dsA)) (i32.mul (local.get $b) (local.get $dsB)))))
        (local.set $srow (i32.add (local.get $src) (i32.add (i32.mul (local.get $a) (local.get $ssA)) (i32.mul (local.get $b) (local.get $ssB)))))
        (local.set $j (i32.const 0))
        (block $blocksDone
          (loop $blocks
            (br_if $blocksDone (i32.gt_s (i32.add (local.get $j) (i32.const 112)) (local.get $nb)))
            (local.set $c0 (v128.const i32x4 0 0 0 0))
            (local.set $c1 (v128.const i32x4 0 0 0 0))
            (local.set $c2 (v128.const i32x4 0 0 0 0))
            (local.set $c3 (v128.const i32x4 0 0 0 0))
            (local.set $c4 (v128.const i32x4 0 0 0 0))
            (local.set $c5 (v128.const i32x4 0 0 0 0))
            (local.set $c6 (v128.const i32x4 0 0 0 0))
            (local.set $t (local.get $tab))
            (loop $taps
              (local.set $p (i32.add (i32.add (local.get $srow) (local.get $j)) (i32.load (local.get $t))))
              (local.set $w (v128.load64_splat (i32.add (local.get $wb) (i32.load offset=4 (local.get $t)))))
              (local.set $x (v128.load offset=0 (local.get $p)))
              (local.set $c0 (f64x2.add (local.get $c0) (f64x2.mul (local.get $w) (local.get $x))))
              (local.set $x (v128.load offset=16 (local.get $p)))
              (local.set $c1 (f64x2.add (local.get $c1) (f64x2.mul (local.get $w) (local.get $x))))
              (local.set $x (v128.load offset=32 (local.get $p)))
              (local.set $c2 (f64x2.add (local.get $c2) (f64x2.mul (local.get $w) (local.get $x))))
              (local.set $x (v128.load offset=48 (local.get $p)))
              (local.set $c3 (f64x2.add (local.get $c3) (f64x2.mul (local.get $w) (local.get $x))))
              (local.set $x (v128.load offset=64 (local.get $p)))
              (local.set $c4 (f64x2.add (local.get $c4) (f64x2.mul (local.get $w) (local.get $x))))
              (local.set $x (v128.load offset=80 (local.get $p)))
              (local.set $c5 (f64x2.add (local.get $c5) (f64x2.mul (local.get $w) (local.get $x))))
              (local.set $x (v128.load offset=96 (local.get $p)))
              (local.set $c6 (f64x2.add (local.get $c6) (f64x2.mul (local.get $w) (local.get $x))))
              (br_if $taps (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 8))) (local.get $tend))))
            (local.set $p (i32.add (local.get $drow) (local.get $j)))
            (v128.store offset=0 (local.get $p) (f64x2.add (v128.and (v128.load offset=0 (local.get $p)) (local.get $keep)) (local.get $c0)))
            (v128.store offset=16 (local.get $p) (f64x2.add (v128.and (v128.load offset=16 (local.get $p)) (local.get $keep)) (local.get $c1)))
            (v128.store offset=32 (local.get $p) (f64x2.add (v128.and (v128.load offset=32 (local.get $p)) (local.get $keep)) (local.get $c2)))
            (v128.store offset=48 (local.get $p) (f64x2.add (v128.and (v128.load offset=48 (local.get $p)) (local.get $keep)) (local.get $c3)))
            (v128.store offset=64 (local.get $p) (f64x2.add (v128.and (v128.load offset=64 (local.get $p)) (local.get $keep)) (local.get $c4)))
            (v128.store offset=80 (local.get $p) (f64x2.add (v128.and (v128.load offset=80 (local.get $p)) (local.get $keep)) (local.get $c5)))
            (v128.store offset=96 (local.get $p) (f64x2.add (v128.and (v128.load offset=96 (local.get $p)) (local.get $keep)) (local.get $c6)))
            (local.set $j (i32.add (local.get $j) (i32.const 112)))
            (br $blocks)))
        (if (i32.le_s (i32.add (local.get $j) (i32.const 64)) (local.get $nb))
          (then
            (local.set $c0 (v128.const i32x4 0 0 0 0))
            (local.set $c1 (v128.const i32x4 0 0 0 0))
            (local.set $c2 (v128.const i32x4 0 0 0 0))
            (local.set $c3 (v128.const i32x4 0 0 0 0))
            (local.set $t (local.get $tab))
            (loop $taps
              (local.set $p (i32.add (i32.add (local.get $srow) (local.get $j)) (i32.load (local.get $t))))
              (local.set $w (v128.load64_splat (i32.add (local.get $wb) (i32.load offset=4 (local.get $t)))))
              (local.set $x (v128.load offset=0 (local.get $p)))
              (local.set $c0 (f64x2.add (local.get $c0) (f64x2.mul (local.get $w) (local.get $x))))
              (local.set $x (v128.load offset=16 (local.get $p)))
              (local.set $c1 (f64x2.add (local.get $c1) (f64x2.mul (local.get $w) (local.get $x))))
              (local.set $x (v128.load offset=32 (local.get $p)))
              (local.set $c2 (f64x2.add (local.get $c2) (f64x2.mul (local.get $w) (local.get $x))))
              (local.set $x (v128.load offset=48 (local.get $p)))
              (local.set $c3 (f64x2.add (local.get $c3) (f64x2.mul (local.get $w) (local.get $x))))
              (br_if $taps (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 8))) (local.get $tend))))
            (local.set $p (i32.add (local.get $drow) (local.get $j)))
            (v128.store offset=0 (local.get $p) (f64x2.add (v128.and (v128.load offset=0 (local.get $p)) (local.get $keep)) (local.get $c0)))
            (v128.store offset=16 (local.get $p) (f64x2.add (v128.and (v128.load offset=16 (local.get $p)) (local.get $keep)) (local.get $c1)))
            (v128.store offset=32 (local.get $p) (f64x2.add (v128.and (v128.load offset=32 (local.get $p)) (local.get $keep)) (local.get $c2)))
            (v128.store offset=48 (local.get $p) (f64x2.add (v128.and (v128.load offset=48 (local.get $p)) (local.get $keep)) (local.get $c3)))
            (local.set $j (i32.add (local.get $j) (i32.const 64)))))
        (block $singlesDone
          (loop $singles
            (br_if $singlesDone (i32.gt_s (i32.add (local.get $j) (i32.const 16)) (local.get $nb)))
            (local.set $c0 (call $dot1_f64 (i32.add (local.get $srow) (local.get $j)) (local.get $tab) (local.get $tend) (local.get $wb)))
            (local.set $p (i32.add (local.get $drow) (local.get $j)))
            (v128.store (local.get $p) (f64x2.add (v128.and (v128.load (local.get $p)) (local.get $keep)) (local.get $c0)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $singles)))
        (if (i32.lt_s (local.get $done) (local.get $nb))
          (then
            (local.set $c0 (call $dot1_f64 (i32.add (local.get $srow) (local.get $start)) (local.get $tab) (local.get $tend) (local.get $wb)))
            (local.set $p (i32.add (local.get $drow) (local.get $start)))
            (local.set $x (v128.load (local.get $p)))
            (v128.store (local.get $p) (v128.bitselect (f64x2.add (v128.and (local.get $x) (local.get $keep)) (local.get $c0)) (local.get $x) (local.get $mask)))))
        (br_if $rowsB (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $nB))))
      (br_if $rowsA (i32.lt_u (local.tee $a (i32.add (local.get $a) (i32.const 1))) (local.get $nA)))))

  ;; wdot1_f32 in float64
  (func $wdot1_f64
    (param $dy i32) (param $dyA i32) (param $dyB i32) (param $nA i32) (param $nB i32) (param $nb i32)
    (param $src i32) (param $ssA i32) (param $ssB i32) (param $o i32) (param $start i32) (param $mask v128) (result v128)
    (local $a i32) (local $b i32) (local $drow i32) (local $p i32) (local $j i32)
    (local $d v128) (local $x v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (loop $rowsA
      (local.set $b (i32.const 0))
      (loop $rowsB
        (local.set $drow (i32.add (local.get $dy) (i32.add (i32.mul (local.get $a) (local.get $dyA)) (i32.mul (local.get $b) (local.get $dyB)))))
        (local.set $p (i32.add (i32.add (local.get $src) (local.get $o)) (i32.add (i32.mul (local.get $a) (local.get $ssA)) (i32.mul (local.get $b) (local.get $ssB)))))
        (local.set $j (i32.const 0))
        (block $quadsDone
          (loop $quads
            (br_if $quadsDone (i32.gt_s (i32.add (local.get $j) (i32.const 64)) (local.get $nb)))
            (local.set $d (v128.load offset=0 (i32.add (local.get $drow) (local.get $j))))
            (local.set $x (v128.load offset=0 (i32.add (local.get $p) (local.get $j))))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $d) (local.get $x))))
            (local.set $d (v128.load offset=16 (i32.add (local.get $drow) (local.get $j))))
            (local.set $x (v128.load offset=16 (i32.add (local.get $p) (local.get $j))))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $d) (local.get $x))))
            (local.set $d (v128.load offset=32 (i32.add (local.get $drow) (local.get $j))))
            (local.set $x (v128.load offset=32 (i32.add (local.get $p) (local.get $j))))
            (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $d) (local.get $x))))
            (local.set $d (v128.load offset=48 (i32.add (local.get $drow) (local.get $j))))
            (local.set $x (v128.load offset=48 (i32.add (local.get $p) (local.get $j))))
            (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $d) (local.get $x))))
            (local.set $j (i32.add (local.get $j) (i32.const 64)))
            (br $quads)))
        (block $singlesDone
          (loop $singles
            (br_if $singlesDone (i32.gt_s (i32.add (local.get $j) (i32.const 16)) (local.get $nb)))
            (local.set $d (v128.load (i32.add (local.get $drow) (local.get $j))))
            (local.set $x (v128.load (i32.add (local.get $p) (local.get $j))))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $d) (local.get $x))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $singles)))
        (if (i32.lt_s (local.get $j) (local.get $nb))
          (then
            (local.set $s1 (f64x2.add (local.get $s1) (v128.and (local.get $mask)
              (f64x2.mul (v128.load (i32.add (local.get $drow) (local.get $start))) (v128.load (i32.add (local.get $p) (local.get $start)))))))))
        (br_if $rowsB (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $nB))))
      (br_if $rowsA (i32.lt_u (local.tee $a (i32.add (local.get $a) (i32.const 1))) (local.get $nA))))
    (f64x2.add (f64x2.add (local.get $s0) (local.get $s1)) (f64x2.add (local.get $s2) (local.get $s3))))

  ;; wgrad_f32 in float64
  (func (export "wgrad_f64")
    (param $dy i32) (param $dyA i32) (param $dyB i32) (param $nA i32) (param $nB i32) (param $ncols i32)
    (param $src i32) (param $ssA i32) (param $ssB i32) (param $tab i32) (param $ntaps i32) (param $dwb i32)
    (local $nb i32) (local $done i32) (local $start i32) (local $mask v128)
    (local $a i32) (local $b i32) (local $drow i32) (local $srow i32) (local $j i32) (local $t i32) (local $tend i32) (local $p i32)
    (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32)
    (local $d v128) (local $x v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (if (i32.or (i32.or (i32.eqz (local.get $ntaps)) (i32.eqz (local.get $ncols))) (i32.or (i32.eqz (local.get $nA)) (i32.eqz (local.get $nB))))
      (then (return)))
    (local.set $tend (i32.add (local.get $tab) (i32.shl (local.get $ntaps) (i32.const 3))))
    (local.set $nb (i32.shl (local.get $ncols) (i32.const 3)))
    (local.set $done (i32.and (local.get $nb) (i32.const -16)))
    (local.set $start (select (i32.sub (local.get $nb) (i32.const 16)) (i32.const 0) (i32.gt_s (local.get $nb) (i32.const 16))))
    (local.set $mask (call $tailmask (i32.sub (local.get $done) (local.get $start)) (i32.sub (local.get $nb) (local.get $start))))
    (local.set $t (local.get $tab))
    (block $groupsDone
      (loop $groups
        (br_if $groupsDone (i32.gt_u (i32.add (local.get $t) (i32.const 32)) (local.get $tend)))
        (local.set $o0 (i32.load offset=0 (local.get $t)))
        (local.set $o1 (i32.load offset=8 (local.get $t)))
        (local.set $o2 (i32.load offset=16 (local.get $t)))
        (local.set $o3 (i32.load offset=24 (local.get $t)))
        (local.set $s0 (v128.const i32x4 0 0 0 0))
        (local.set $s1 (v128.const i32x4 0 0 0 0))
        (local.set $s2 (v128.const i32x4 0 0 0 0))
        (local.set $s3 (v128.const i32x4 0 0 0 0))
        (local.set $a (i32.const 0))
        (loop $rowsA
          (local.set $b (i32.const 0))
          (loop $rowsB
            (local.set $drow (i32.add (local.get $dy) (i32.add (i32.mul (local.get $a) (local.get $dyA)) (i32.mul (local.get $b) (local.get $dyB)))))
            (local.set $srow (i32.add (local.get $src) (i32.add (i32.mul (local.get $a) (local.get $ssA)) (i32.mul (local.get $b) (local.get $ssB)))))
            (local.set $j (i32.const 0))
            (block $colsDone
              (loop $cols
                (br_if $colsDone (i32.gt_s (i32.add (local.get $j) (i32.const 16)) (local.get $nb)))
                (local.set $d (v128.load (i32.add (local.get $drow) (local.get $j))))
                (local.set $p (i32.add (local.get $srow) (local.get $j)))
                (local.set $x (v128.load (i32.add (local.get $p) (local.get $o0))))
                (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $d) (local.get $x))))
                (local.set $x (v128.load (i32.add (local.get $p) (local.get $o1))))
                (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $d) (local.get $x))))
                (local.set $x (v128.load (i32.add (local.get $p) (local.get $o2))))
                (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $d) (local.get $x))))
                (local.set $x (v128.load (i32.add (local.get $p) (local.get $o3))))
                (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $d) (local.get $x))))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (br $cols)))
            (if (i32.lt_s (local.get $j) (local.get $nb))
              (then
                (local.set $d (v128.load (i32.add (local.get $drow) (local.get $start))))
                (local.set $p (i32.add (local.get $srow) (local.get $start)))
                (local.set $s0 (f64x2.add (local.get $s0) (v128.and (local.get $mask) (f64x2.mul (local.get $d) (v128.load (i32.add (local.get $p) (local.get $o0)))))))
                (local.set $s1 (f64x2.add (local.get $s1) (v128.and (local.get $mask) (f64x2.mul (local.get $d) (v128.load (i32.add (local.get $p) (local.get $o1)))))))
                (local.set $s2 (f64x2.add (local.get $s2) (v128.and (local.get $mask) (f64x2.mul (local.get $d) (v128.load (i32.add (local.get $p) (local.get $o2)))))))
                (local.set $s3 (f64x2.add (local.get $s3) (v128.and (local.get $mask) (f64x2.mul (local.get $d) (v128.load (i32.add (local.get $p) (local.get $o3)))))))))
            (br_if $rowsB (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $nB))))
          (br_if $rowsA (i32.lt_u (local.tee $a (i32.add (local.get $a) (i32.const 1))) (local.get $nA))))
        (call $acc_f64 (i32.add (local.get $dwb) (i32.load offset=4 (local.get $t))) (local.get $s0))
        (call $acc_f64 (i32.add (local.get $dwb) (i32.load offset=12 (local.get $t))) (local.get $s1))
        (call $acc_f64 (i32.add (local.get $dwb) (i32.load offset=20 (local.get $t))) (local.get $s2))
        (call $acc_f64 (i32.add (local.get $dwb) (i32.load offset=28 (local.get $t))) (local.get $s3))
        (local.set $t (i32.add (local.get $t) (i32.const 32)))
        (br $groups)))
    (block $restDone
      (loop $rest
        (br_if $restDone (i32.ge_u (local.get $t) (local.get $tend)))
        (call $acc_f64 (i32.add (local.get $dwb) (i32.load offset=4 (local.get $t)))
          (call $wdot1_f64 (local.get $dy) (local.get $dyA) (local.get $dyB) (local.get $nA) (local.get $nB) (local.get $nb)
            (local.get $src) (local.get $ssA) (local.get $ssB) (i32.load (local.get $t)) (local.get $start) (local.get $mask)))
        (local.set $t (i32.add (local.get $t) (i32.const 8)))
        (br $rest))))

  ;; f64 at `at` += the sum of the 2 lanes of s
  (func $acc_f64 (param $at i32) (param $s v128)
    (f64.store (local.get $at) (f64.add (f64.load (local.get $at))
      (f64.add (f64x2.extract_lane 0 (local.get $s)) (f64x2.extract_lane 1 (local.get $s))))))

  ;; addrows_f32 in float64
  (func (export "addrows_f64")
    (param $dst i32) (param $dsA i32) (param $dsB i32) (param $nA i32) (param $nB i32) (param $ncols i32) (param $src i32) (param $srs i32)
    (local $nb i32) (local $done i32) (local $start i32) (local $mask v128)
    (local $a i32) (local $b i32) (local $drow i32) (local $j i32) (local $x v128)
    (if (i32.or (i32.eqz (local.get $ncols)) (i32.or (i32.eqz (local.get $nA)) (i32.eqz (local.get $nB)))) (then (return)))
    (local.set $srs (i32.shl (local.get $srs) (i32.const 3)))
    (local.set $nb (i32.shl (local.get $ncols) (i32.const 3)))
    (local.set $done (i32.and (local.get $nb) (i32.const -16)))
    (local.set $start (select (i32.sub (local.get $nb) (i32.const 16)) (i32.const 0) (i32.gt_s (local.get $nb) (i32.const 16))))
    (local.set $mask (call $tailmask (i32.sub (local.get $done) (local.get $start)) (i32.sub (local.get $nb) (local.get $start))))
    (loop $rowsA
      (local.set $b (i32.const 0))
      (loop $rowsB
        (local.set $drow (i32.add (local.get $dst) (i32.add (i32.mul (local.get $a) (local.get $dsA)) (i32.mul (local.get $b) (local.get $dsB)))))
        (local.set $j (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.gt_s (i32.add (local.get $j) (i32.const 16)) (local.get $nb)))
            (v128.store (i32.add (local.get $drow) (local.get $j))
              (f64x2.add (v128.load (i32.add (local.get $drow) (local.get $j))) (v128.load (i32.add (local.get $src) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $cols)))
        (if (i32.lt_s (local.get $done) (local.get $nb))
          (then
            (local.set $x (v128.load (i32.add (local.get $drow) (local.get $start))))
            (v128.store (i32.add (local.get $drow) (local.get $start))
              (v128.bitselect (f64x2.add (local.get $x) (v128.load (i32.add (local.get $src) (local.get $start)))) (local.get $x) (local.get $mask)))))
        (local.set $src (i32.add (local.get $src) (local.get $srs)))
        (br_if $rowsB (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $nB))))
      (br_if $rowsA (i32.lt_u (local.tee $a (i32.add (local.get $a) (i32.const 1))) (local.get $nA)))))

  ;; ilv_f32 in float64
  (func (export "ilv_f64") (param $dst i32) (param $src i32) (param $rows i32) (param $W i32) (param $sw i32) (param $Jw i32) (param $pw i32)
    (local $r i32) (local $ph i32) (local $i i32) (local $d i32) (local $s i32) (local $step i32) (local $drow i32) (local $ve v128) (local $vo v128)
    (if (i32.or (i32.eqz (local.get $rows)) (i32.eqz (local.get $W))) (then (return)))
    (local.set $step (i32.shl (local.get $sw) (i32.const 3)))
    (if (i32.eq (local.get $sw) (i32.const 2))
      (then
        ;; two phases: dst[2k] += phase (pw mod 2)[k], dst[2k + 1] += the other phase[k]
        (loop $rows2
          (local.set $drow (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $r) (local.get $W)) (i32.const 3))))
          (local.set $d (i32.add (local.get $src) (i32.shl (i32.mul (i32.add (i32.shl (local.get $r) (i32.const 1)) (i32.and (local.get $pw) (i32.const 1))) (local.get $Jw)) (i32.const 3))))
          (local.set $s (i32.add (local.get $src) (i32.shl (i32.mul (i32.add (i32.shl (local.get $r) (i32.const 1)) (i32.sub (i32.const 1) (i32.and (local.get $pw) (i32.const 1)))) (local.get $Jw)) (i32.const 3))))
          (local.set $i (i32.const 0))
          (block $pairsDone
            (loop $pairs
              (br_if $pairsDone (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $W)))
              (local.set $ve (v128.load (local.get $d)))
              (local.set $vo (v128.load (local.get $s)))
              (local.set $ph (i32.add (local.get $drow) (i32.shl (local.get $i) (i32.const 3))))
              (v128.store (local.get $ph) (f64x2.add (v128.load (local.get $ph))
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $ve) (local.get $vo))))
              (v128.store offset=16 (local.get $ph) (f64x2.add (v128.load offset=16 (local.get $ph))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $ve) (local.get $vo))))
              (local.set $d (i32.add (local.get $d) (i32.const 16)))
              (local.set $s (i32.add (local.get $s) (i32.const 16)))
              (local.set $i (i32.add (local.get $i) (i32.const 4)))
              (br $pairs)))
          ;; the rest element by element, alternating between the phases
          (block $restDone
            (loop $rest
              (br_if $restDone (i32.ge_s (local.get $i) (local.get $W)))
              (local.set $ph (i32.add (local.get $drow) (i32.shl (local.get $i) (i32.const 3))))
              (f64.store (local.get $ph) (f64.add (f64.load (local.get $ph)) (f64.load (local.get $d))))
              (local.set $ph (local.get $d))
              (local.set $d (local.get $s))
              (local.set $s (i32.add (local.get $ph) (i32.const 8)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $rest)))
          (br_if $rows2 (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows))))
        (return)))
    (loop $rowsL
      (local.set $drow (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $r) (local.get $W)) (i32.const 3))))
      (local.set $ph (i32.const 0))
      (loop $phases
        (local.set $i (i32.rem_u (i32.add (i32.sub (local.get $ph) (i32.rem_u (local.get $pw) (local.get $sw))) (local.get $sw)) (local.get $sw)))
        (if (i32.lt_s (local.get $i) (local.get $W))
          (then
            (local.set $d (i32.add (local.get $drow) (i32.shl (local.get $i) (i32.const 3))))
            (local.set $s (i32.add (local.get $src) (i32.shl (i32.mul (i32.add (i32.mul (local.get $r) (local.get $sw)) (local.get $ph)) (local.get $Jw)) (i32.const 3))))
            (loop $cols
              (f64.store (local.get $d) (f64.add (f64.load (local.get $d)) (f64.load (local.get $s))))
              (local.set $d (i32.add (local.get $d) (local.get $step)))
              (local.set $s (i32.add (local.get $s) (i32.const 8)))
              (br_if $cols (i32.lt_s (local.tee $i (i32.add (local.get $i) (local.get $sw))) (local.get $W))))))
        (br_if $phases (i32.lt_u (local.tee $ph (i32.add (local.get $ph) (i32.const 1))) (local.get $sw))))
      (br_if $rowsL (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows)))))
)
