import { chain, optional, retryOf, type Template } from './template'

/** Upload, OCR, analysis and storage of one document (the automation pipeline's first template). */
export const documentProcessing: Template = {
  id: 'document-processing',
  name: 'Document processing',
  description:
    'Takes a document (upload), extracts its text (OCR), analyses it (entities, sentiment) and stores the results. Run input: { file: "<path or URL>" }.',
  tags: ['documents', 'ocr', 'ai', 'sequential'],
  actions: ['upload', 'ocr', 'analyze', 'store'],
  params: {
    maxSizeBytes: optional('integer', 10_485_760, 'Largest document accepted, in bytes (10 MB).'),
    allowedTypes: optional('array', ['pdf', 'docx', 'jpg', 'png'], 'File types accepted.'),
    ocrEngine: optional('string', 'tesseract', 'The OCR engine the ocr action uses.'),
    languages: optional('array', ['eng', 'deu'], 'Languages the OCR looks for.'),
    extractEntities: optional('boolean', true, 'Extract named entities.'),
    sentimentAnalysis: optional('boolean', true, 'Analyse sentiment.'),
    destination: optional('string', 'database', 'Where the results are stored.'),
    vectorStore: optional('boolean', true, 'Also index the text in a vector store.'),
    retries: optional('integer', 2, 'Retries of a failed step.'),
    retryDelayMs: optional('integer', 5000, 'Wait before the first retry, in ms (doubling).'),
  },
  build: (p) => ({
    description: 'OCR, extract, and analyze documents',
    params: { file: { type: 'string', required: true, description: 'The document: a path or URL.' } },
    defaults: { retry: retryOf(p) },
    tasks: chain({
      upload: {
        action: 'upload',
        name: 'Upload document',
        params: { file: '${ input.file }', max_size: p.maxSizeBytes, allowed_types: p.allowedTypes },
      },
      ocr: {
        action: 'ocr',
        name: 'Extract text',
        params: { document: '${ tasks.upload.output }', engine: p.ocrEngine, languages: p.languages },
      },
      analyze: {
        action: 'analyze',
        name: 'Analyze content',
        params: {
          text: '${ tasks.ocr.output }',
          extract_entities: p.extractEntities,
          sentiment_analysis: p.sentimentAnalysis,
        },
      },
      store: {
        action: 'store',
        name: 'Store results',
        params: {
          results: '${ tasks.analyze.output }',
          destination: p.destination,
          vector_store: p.vectorStore,
        },
      },
    }),
    output: 'tasks.store.output',
  }),
}
