/** A worker whose module throws while it loads, before it could call `serveEngine`. */
throw new Error('configuration missing')
