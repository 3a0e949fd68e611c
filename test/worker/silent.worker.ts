/** A worker that loads fine but never calls `serveEngine`: no connection is ever answered. */
export {}
