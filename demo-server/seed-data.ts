/**
 * The fixed data the demo reads: a sales rep's customers and a courier's
 * route for today. Names and numbers are made up.
 */

/** A customer the sales rep visits. */
export interface Customer {
  /** `c01` .. `c20`. */
  id: string
  /** The shop's name. */
  name: string
  /** The person to ask for. */
  contact: string
  phone: string
  address: string
}

/** One parcel on today's route. */
export interface RouteStop {
  /** `SF1001` ..; the order on the route. */
  trackingNo: string
  recipient: string
  phone: string
  address: string
}

/** The courier whose route `/routes/today` shows. */
export const COURIER = { id: 'k07', name: '陈师傅' } as const

const shops: Array<[string, string, string]> = [
  ['王记超市', '王建国', '上海市浦东新区张杨路 1234 号'],
  ['李氏便利店', '李娜', '上海市徐汇区漕溪北路 88 号'],
  ['张家面馆', '张伟', '上海市静安区江宁路 501 号'],
  ['刘记水果行', '刘洋', '上海市黄浦区西藏南路 210 号'],
  ['陈氏五金', '陈静', '上海市普陀区长寿路 77 号'],
  ['杨家药房', '杨帆', '上海市长宁区天山路 356 号'],
  ['赵记早餐铺', '赵敏', '上海市虹口区四川北路 1688 号'],
  ['黄河餐厅', '黄磊', '上海市杨浦区五角场 12 号'],
  ['周记烟酒', '周杰', '上海市闵行区莘庄镇沪闵路 6088 号'],
  ['吴家花店', '吴芳', '上海市宝山区友谊路 15 号'],
  ['徐汇文具', '徐明', '上海市徐汇区宜山路 455 号'],
  ['孙记粮油', '孙丽', '上海市松江区中山中路 300 号'],
  ['马家牛肉面', '马超', '上海市嘉定区城中路 99 号'],
  ['朱记茶庄', '朱琳', '上海市青浦区公园路 288 号'],
  ['胡氏眼镜', '胡军', '上海市奉贤区南桥镇解放路 66 号'],
  ['郭记烧腊', '郭峰', '上海市金山区石化卫零路 18 号'],
  ['何家书店', '何静', '上海市浦东新区世纪大道 100 号'],
  ['高记干洗', '高翔', '上海市静安区南京西路 1266 号'],
  ['林氏海鲜', '林涛', '上海市浦东新区东方路 800 号'],
  ['罗记米粉', '罗娟', '上海市黄浦区淮海中路 138 号'],
]

/** Twenty customers, ids `c01` .. `c20`. */
export const CUSTOMERS: readonly Customer[] = shops.map(([name, contact, address], i) => ({
  id: `c${String(i + 1).padStart(2, '0')}`,
  name,
  contact,
  phone: `1380013${String(i + 1).padStart(4, '0')}`,
  address,
}))

const stops: Array<[string, string]> = [
  ['林小姐', '深圳市南山区科技园南区 A 栋 1201'],
  ['黄先生', '深圳市南山区海岸城 3 楼前台'],
  ['周女士', '深圳市福田区车公庙天安数码城 F2 栋'],
  ['吴先生', '深圳市福田区华强北路 1002 号'],
  ['郑小姐', '深圳市罗湖区东门步行街 56 号'],
  ['孙先生', '深圳市宝安区西乡大道 288 号 地下车库'],
  ['冯女士', '深圳市龙华区民治大道 3 号 电梯间'],
  ['何先生', '深圳市南山区蛇口望海路 1166 号'],
  ['许小姐', '深圳市福田区深南大道 6008 号'],
  ['邓先生', '深圳市龙岗区坂田五和大道 12 号'],
  ['曹女士', '深圳市南山区前海路 66 号'],
  ['谢先生', '深圳市罗湖区人民南路 2002 号'],
]

/** Twelve parcels, tracking numbers `SF1001` .. `SF1012`. */
export const ROUTE_STOPS: readonly RouteStop[] = stops.map(([recipient, address], i) => ({
  trackingNo: `SF${1001 + i}`,
  recipient,
  phone: `1390027${String(i + 1).padStart(4, '0')}`,
  address,
}))
