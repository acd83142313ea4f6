const { getOffline, api } = require('../../services/offline')
const { resultText } = require('../../services/result-text')

// 拜访记录: pick a customer from a list that works offline, write notes,
// attach photos, submit. Photos and the record go as one task: the record
// refers to the uploaded photos' URLs.
Component({
  data: {
    customers: [],
    fromCache: false,
    customersError: '',
    customerId: '',
    notes: '',
    photos: [],
    submitting: false,
    result: null,
  },
  lifetimes: {
    attached() {
      this.loadCustomers()
    },
  },
  methods: {
    async loadCustomers() {
      try {
        const answer = await getOffline().get({ url: api('/customers'), strategy: 'staleWhileRevalidate' })
        this.setData({ customers: answer.data.customers, fromCache: answer.fromCache, customersError: '' })
      } catch (error) {
        this.setData({ customersError: '离线且没有缓存的客户列表' })
      }
    },
    pickCustomer(event) {
      this.setData({ customerId: event.currentTarget.dataset.id })
    },
    onNotes(event) {
      this.setData({ notes: event.detail.value })
    },
    async addPhoto() {
      const { tempFiles } = await wx.chooseMedia({ count: 1, mediaType: ['image'], sourceType: ['camera', 'album'] })
      this.setData({ photos: this.data.photos.concat(tempFiles.map((file) => file.tempFilePath)) })
    },
    async submit() {
      const { customerId, notes, photos } = this.data
      const customer = this.data.customers.find((each) => each.id === customerId)
      this.setData({ submitting: true })
      const visit = { customerId, notes, at: Date.now(), photos: photos.map((_, i) => ({ $ref: `steps.${i}.data.url` })) }
      const result = await getOffline().task({
        lane: `customer:${customerId}`,
        metadata: { title: `拜访 ${customer ? customer.name : customerId}`, kind: 'visit' },
        steps: photos
          .map((filePath) => ({ upload: { url: api('/photos'), filePath, name: 'file', compress: { quality: 80 } } }))
          .concat([{ request: { url: api('/visits'), method: 'POST', data: visit } }]),
      })
      this.setData({ submitting: false, notes: '', photos: [], result: { status: result.status, text: resultText(result) } })
    },
  },
})
