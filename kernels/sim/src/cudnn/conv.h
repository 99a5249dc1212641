// Convolution geometry and the simulator's algorithm table, shared by conv_algo.cpp (queries)
// and conv.cpp (execution).
#pragma once

#include "cudnn_internal.h"

struct ConvShape {
    int n, c, h, w;  // x
    int k, cg, r, s;  // filter: k outputs, cg input channels per group, r x s window
    int groups;
    int oh, ow;  // y
    int pad[2], stride[2], dil[2];
    bool flip;  // CUDNN_CONVOLUTION: the filter is applied flipped in both spatial dims
    bool tf32;  // math type allows TF32 tensor cores (see conv_algo.cpp)
};

// Validates x, w, conv and y as the cuDNN API reference lists for cudnnConvolutionForward (the
// backward calls check the same relation between the same descriptors) and fills `out`.
// y may be nullptr (cudnnGetConvolution2dForwardOutputDim). BAD_PARAM: descriptors not set,
// mismatched data types, x channels != filter channels x groups, filter outputs not a multiple of
// groups, dilated filter larger than the padded input, y batch or channels not x batch and filter
// outputs. NOT_SUPPORTED: data or compute type not float, y's spatial size not the one
// cudnnGetConvolution2dForwardOutputDim gives.
cudnnStatus_t conv_shape(const char* fn, const cudnnTensorStruct* x, const cudnnFilterStruct* w,
                         const cudnnConvolutionStruct* conv, const cudnnTensorStruct* y, ConvShape* out);

enum class ConvDir { Forward, BackwardData, BackwardFilter };

// The algorithm count of a direction (the enum's _COUNT), its heuristic ranking (every algorithm
// once, supported ones first), and for one algorithm: whether the simulator runs it, cuDNN's
// documented determinism, and the workspace bytes it needs for `s`.
int conv_algo_count(ConvDir dir);
int conv_algo_ranked(ConvDir dir, int rank);
bool conv_algo_supported(ConvDir dir, int algo);
cudnnDeterminism_t conv_algo_determinism(ConvDir dir, int algo);
size_t conv_workspace(ConvDir dir, int algo, const ConvShape& s);

// Checks algo (BAD_PARAM out of the enum, NOT_SUPPORTED when the simulator does not run it) and
// the caller's workspace (BAD_PARAM when workSpaceSizeInBytes is below conv_workspace), resolves
// the workspace's conv_workspace bytes; *ws gets the host view (nullptr when none is needed).
// EXECUTION_FAILED when the workspace is not device memory.
cudnnStatus_t conv_check_algo(const char* fn, ConvDir dir, int algo, const ConvShape& s, void* workSpace,
                              size_t workSpaceSizeInBytes, void** ws, size_t* wsBytes);
