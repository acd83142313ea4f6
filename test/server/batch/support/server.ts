/**
 * The package's server entry for these tests. The batch endpoint lives in
 * `sdk/server/batch/` until `miniprogram-offline/server` re-exports it;
 * then this file becomes `export * from 'miniprogram-offline/server'`.
 */
export * from 'miniprogram-offline/server'
export * from '../../../../sdk/server/batch'
